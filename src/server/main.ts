/**
 * Language server entry (bundled to dist/server.js). The transport comes from the command line, as
 * vscode-languageclient passes it: --node-ipc, --stdio, --socket=N or --pipe=NAME.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
