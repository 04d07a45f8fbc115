import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from '../../server/server';
import { UsageError } from '../args';
import type { Command } from '../command';

export const lsp: Command = {
  name: 'lsp',
  usage: 'cocurate lsp --stdio   (JSON-RPC on stdin/stdout; settings via initializationOptions: imageRoot, checkImages, include, debounceMs)',
  flags: { booleans: ['stdio'] },
  run(args) {
    if (!args.bool('stdio')) throw new UsageError('only --stdio is supported (the editor talks JSON-RPC over stdin/stdout)');
    const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    startServer(connection);
    // The connection ends the process on "exit" or when stdin closes.
    return new Promise<number>(() => {});
  },
};
