import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Reads a line (a password) from the terminal without echoing it; the question goes to `output`. */
export async function askHidden(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string): Promise<string> {
  output.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input, output: silent, terminal: true });
  try {
    return await prompt.question('');
  } finally {
    prompt.close();
    output.write('\n');
  }
}
