/** The one list of formats fwlint reads; importing this module registers them. */
import { awsJsonFormat, cloudformationYamlFormat } from './aws/index.js';
import { azureJsonFormat } from './azure/index.js';
import { gcpJsonFormat, gcpYamlFormat } from './gcp/index.js';
import { iptablesSaveFormat, iptablesScriptFormat } from './iptables/index.js';
import { nftablesFormat, nftablesJsonFormat } from './nftables/index.js';
import { registerFormats } from './registry.js';
import { terraformFormat, terraformPlanFormat } from './terraform/format.js';

registerFormats([
  iptablesSaveFormat,
  iptablesScriptFormat,
  nftablesFormat,
  nftablesJsonFormat,
  awsJsonFormat,
  cloudformationYamlFormat,
  terraformFormat,
  terraformPlanFormat,
  gcpJsonFormat,
  gcpYamlFormat,
  azureJsonFormat,
]);
