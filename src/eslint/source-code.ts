import { CallMethodStep, ConfigCommentParser, Directive, TextSourceCodeBase, VisitNodeStep } from '@eslint/plugin-kit';
import type { FileProblem, RulesConfig } from '@eslint/core';
import type { CommentNode, FirewallRoot } from './ast.js';

/**
 * The event sent after the Document's exit, once every rule has had its `Document:exit`: firewall/no-unused-suppressions
 * judges there which suppressions were used, whatever the order the user's config enables the rules in (at
 * `Document:exit` it ran before the rules listed after it, and reported their suppressions unused).
 */
export const AFTER_RULES = 'FirewallAfterRules';

const INLINE_CONFIG = /^\s*(?:eslint(?:-enable|-disable(?:(?:-next)?-line)?)?)(?:\s|$)/u;
const commentParser = new ConfigCommentParser();

/**
 * SourceCode for firewall files: the text, the one-node AST, and the comments
 * in the file's own syntax (`#` for iptables/nft/YAML/HCL, `//` and block
 * comments in HCL/JSONC), so `# eslint-disable-next-line firewall/<rule> -- reason`
 * works inside rule files.
 */
export class FirewallSourceCode extends TextSourceCodeBase<{
  LangOptions: Record<string, unknown>;
  RootNode: FirewallRoot;
  SyntaxElementWithLoc: FirewallRoot | CommentNode;
  ConfigNode: CommentNode;
}> {
  override ast: FirewallRoot;
  readonly comments: CommentNode[];

  constructor({ text, ast }: { text: string; ast: FirewallRoot }) {
    super({ text, ast });
    this.ast = ast;
    this.comments = ast.comments;
  }

  /**
   * The comments, as JavaScript's SourceCode gives them. A user's `js.configs.recommended` without `files` runs its
   * rules on firewall files too, and no-irregular-whitespace reads this when it is created: without it ESLint stopped
   * on every firewall file ("sourceCode.getAllComments is not a function"). Its `Program` listener never fires here.
   */
  getAllComments(): CommentNode[] {
    return this.comments;
  }

  getInlineConfigNodes(): CommentNode[] {
    return this.comments.filter((c) => INLINE_CONFIG.test(c.value));
  }

  getDisableDirectives(): { problems: FileProblem[]; directives: Directive[] } {
    const problems: FileProblem[] = [];
    const directives: Directive[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed) continue;
      const { label, value, justification } = parsed;
      if (label === 'eslint-disable-line' && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      if (label === 'eslint-disable' || label === 'eslint-enable' || label === 'eslint-disable-next-line' || label === 'eslint-disable-line') {
        directives.push(
          new Directive({
            type: label.slice('eslint-'.length) as 'disable' | 'enable' | 'disable-next-line' | 'disable-line',
            node: comment,
            value,
            justification,
          }),
        );
      }
    }
    return { problems, directives };
  }

  applyInlineConfig(): { configs: { config: { rules: RulesConfig }; loc: CommentNode['loc'] }[]; problems: FileProblem[] } {
    const configs: { config: { rules: RulesConfig }; loc: CommentNode['loc'] }[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed || parsed.label !== 'eslint') continue;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (!result.ok) {
        problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
        continue;
      }
      // (ESLint validates the rules' options against their meta.schema and reports an invalid one at the comment)
      configs.push({ config: { rules: result.config as RulesConfig }, loc: comment.loc });
    }
    return { configs, problems };
  }

  override getParent(): undefined {
    return undefined;
  }

  override *traverse(): Iterable<VisitNodeStep | CallMethodStep> {
    yield new VisitNodeStep({ target: this.ast, phase: 1, args: [this.ast, undefined] });
    yield new VisitNodeStep({ target: this.ast, phase: 2, args: [this.ast, undefined] });
    yield new CallMethodStep({ target: AFTER_RULES, args: [this.ast] });
  }
}
