/** Every cocurate command, in the order --help lists them. One line per command. */
import type { Command } from '../command';
import { info } from './info';
import { validate } from './validate';
import { show } from './show';
import { sample } from './sample';
import { report } from './report';
import { decide } from './decide';
import { apply } from './apply';
import { lsp } from './lsp';
import { build } from './build';
import { ask } from './ask';
import { evalMcq } from './eval-mcq';
import { twoafc } from './twoafc';
import { cues } from './cues';

export const COMMANDS: Command[] = [info, validate, show, sample, report, decide, apply, lsp, build, ask, evalMcq, twoafc, cues];
