/** Reads the Getting Started walkthrough in code-server: which steps show as done. */
import type { VsCode } from './harness';

/** Whether each step of "Get started with Co-Instruct Curator" shows as done, by step id (opens the walkthrough). */
export async function walkthroughSteps(vs: VsCode): Promise<Record<string, boolean>> {
  await vs.runCommand('Welcome: Open Walkthrough...');
  await vs.answerQuickInput(undefined, 'Get started with Co-Instruct Curator');
  const steps = vs.page.locator('button.getting-started-step[data-step-id]');
  await steps.first().waitFor({ timeout: 30_000 });
  const out: Record<string, boolean> = {};
  for (const el of await steps.all()) {
    const id = (await el.getAttribute('data-step-id')) ?? '';
    out[id.split('#').pop()!] = (await el.getAttribute('aria-checked')) === 'true';
  }
  return out;
}
