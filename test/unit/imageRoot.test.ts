/**
 * One rule for folder-valued settings (src/core/imageRoot.ts), used by the extension host and the
 * language server: defaults, `${workspaceFolder}`, relative values, files outside every folder.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { resolveCurationFolder, resolveImageRoot, workspaceFolderOf } from '../../src/core/imageRoot';
import { curationFolderFor, DEFAULT_SETTINGS, imageRootFor } from '../../src/server/settings';

const WS = path.resolve('/ws/project');
const DS = path.join(WS, 'data', 'train.jsonl');
const OUTSIDE = path.resolve('/elsewhere/set/val.json');

describe('image root and curation folder resolution', () => {
  it('defaults to the dataset folder (images) and .curator beside it (curation)', () => {
    assert.equal(resolveImageRoot('', DS, WS), path.join(WS, 'data'));
    assert.equal(resolveImageRoot('   ', DS, WS), path.join(WS, 'data'));
    assert.equal(resolveCurationFolder(undefined, DS, WS), path.join(WS, 'data', '.curator'));
  });

  it('resolves a relative setting against the workspace folder and expands ${workspaceFolder}', () => {
    assert.equal(resolveImageRoot('images', DS, WS), path.join(WS, 'images'));
    assert.equal(resolveImageRoot('${workspaceFolder}/images', DS, WS), path.join(WS, 'images'));
    assert.equal(resolveCurationFolder('${workspaceFolder}/.cur', DS, WS), path.join(WS, '.cur'));
    assert.equal(resolveImageRoot(path.resolve('/abs/imgs'), DS, WS), path.resolve('/abs/imgs'));
  });

  it('uses the dataset folder in place of a workspace folder for a file outside every folder', () => {
    assert.equal(workspaceFolderOf(OUTSIDE, [WS]), undefined);
    assert.equal(resolveImageRoot('images', OUTSIDE, workspaceFolderOf(OUTSIDE, [WS])), path.resolve('/elsewhere/set/images'));
    assert.equal(resolveImageRoot('${workspaceFolder}/images', OUTSIDE, undefined), path.resolve('/elsewhere/set/images'));
  });

  it('picks the innermost workspace folder', () => {
    const inner = path.join(WS, 'data');
    assert.equal(workspaceFolderOf(DS, [WS, inner]), inner);
    assert.equal(workspaceFolderOf(DS, [inner, WS]), inner);
    assert.equal(workspaceFolderOf(path.resolve('/ws/project-other/x.json'), [WS]), undefined, 'a sibling with a common prefix is outside');
  });

  it('is the rule the language server uses', () => {
    const s = { ...DEFAULT_SETTINGS, imageRoot: '${workspaceFolder}/images', curationFolder: 'cur' };
    assert.equal(imageRootFor(s, DS, WS), resolveImageRoot('${workspaceFolder}/images', DS, WS));
    assert.equal(curationFolderFor(s, DS, WS), path.join(WS, 'cur'));
    assert.equal(imageRootFor(DEFAULT_SETTINGS, OUTSIDE, undefined), path.dirname(OUTSIDE));
  });
});
