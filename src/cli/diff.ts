import { UsageError, type Io } from './main.js';

export async function diffCommand(_argv: string[], _io: Io): Promise<number> {
  throw new UsageError('diff is not available yet');
}
