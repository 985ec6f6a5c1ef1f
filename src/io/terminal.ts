// The one place that talks to a person: questions go to stderr, answers come from the terminal.
// Without a terminal nothing is asked (hooks, CI, pipes): callers refuse or use a flag instead.

export interface Terminal {
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
  askHidden(question: string): Promise<string>;
}

/** Asks a question on the terminal and returns the line typed (echoed). */
export function askLine(question: string): Promise<string> {
  // Taken on first use: node:readline is start-up no command that asks nothing should pay.
  const { createInterface } = process.getBuiltinModule('node:readline');
  return new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => {
      if (!answered) reject(new Error('no answer'));
    });
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      process.exit(130);
    });
  });
}

/** Raw mode, so nothing typed is echoed; Enter ends, Backspace edits, Ctrl-C aborts with 130. */
export function askHiddenLine(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let answer = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') {
          finish();
          process.exit(130);
        }
        if (ch === '\u0004') return finish(new Error('no answer'));
        if (ch === '\u007f' || ch === '\b') answer = Array.from(answer).slice(0, -1).join('');
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Reads all of standard input (a piped value). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
