/** The chat page driven from outside, as a person uses it: typing a message, reading what is listed. */
import type { Page } from 'playwright-core';

/** Types `text` into the message field and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
}

/** The text of every element `selector` matches, in document order, e.g. texts(page, '#members li'). */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (items) => items.map((item) => item.textContent ?? ''));
}
