/**
 * One person's chat page in its own browser context, with what a test needs to see from outside:
 * which replica served each of its WebSocket handshakes (the X-Chat-Replica header of the 101,
 * read over the DevTools protocol), every state its status line went through, and any dialog or
 * page error (there must be none).
 */
import type { Browser, Page } from 'playwright-core';
import { say, texts } from '../../test/support/page.ts';

export interface Shown {
  from: string;
  text: string;
}

export interface StatusChange {
  state: string;
  text: string;
}

export class ChatPage {
  readonly who: string;
  readonly page: Page;
  /** Replica named by each WebSocket handshake, in order; the last one serves the page now. */
  readonly handshakes: string[] = [];
  /** alert()/confirm()/prompt() calls: a script that got in would make one. */
  dialogs = 0;
  readonly pageErrors: string[] = [];

  private constructor(who: string, page: Page) {
    this.who = who;
    this.page = page;
  }

  /** A new context (a separate person, not a tab), its user agent naming them for the replica logs. */
  static async open(browser: Browser, who: string, url: string): Promise<ChatPage> {
    const context = await browser.newContext({
      viewport: { width: 520, height: 380 },
      colorScheme: 'light',
      userAgent: `Mozilla/5.0 (X11; Linux x86_64) chat-e2e/${who}`,
    });
    const chat = new ChatPage(who, await context.newPage());
    const cdp = await context.newCDPSession(chat.page);
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketHandshakeResponseReceived', (event) => {
      const headers = Object.entries(event.response.headers);
      const replica = headers.find(([name]) => name.toLowerCase() === 'x-chat-replica')?.[1];
      chat.handshakes.push(replica ?? '<no X-Chat-Replica header>');
    });
    chat.page.on('dialog', (dialog) => {
      chat.dialogs++;
      void dialog.dismiss();
    });
    chat.page.on('pageerror', (error) => chat.pageErrors.push(error.message));
    await chat.load(url);
    return chat;
  }

  /** The replica of the current WebSocket. */
  get replica(): string | undefined {
    return this.handshakes.at(-1);
  }

  /** (Re)loads the page, waits for it to connect and puts the name in. */
  async load(url: string): Promise<void> {
    const before = this.handshakes.length;
    await this.page.goto(url);
    await this.waitConnected();
    // The DevTools handshake event can trail the page's open event by a moment.
    for (let i = 0; i < 50 && this.handshakes.length === before; i++) await this.page.waitForTimeout(20);
    await this.page.fill('#name', this.who);
  }

  async waitConnected(timeoutMs = 10_000): Promise<void> {
    await this.page.waitForSelector('#status[data-state="connected"]', { timeout: timeoutMs });
  }

  say(text: string): Promise<void> {
    return say(this.page, text);
  }

  /** Chat lines on screen, in order: sender name and text as rendered. */
  messages(): Promise<Shown[]> {
    return this.page.$$eval('#messages li:not(.notice)', (items) =>
      items.map((item) => ({
        from: item.querySelector('.from')?.textContent ?? '',
        text: item.querySelector('.text')?.textContent ?? '',
      })),
    );
  }

  /** Notices on screen (errors about messages), in order. */
  notices(): Promise<string[]> {
    return texts(this.page, '#messages li.notice');
  }

  async waitForMessage(text: string, timeoutMs = 10_000): Promise<void> {
    await this.page.waitForFunction(
      (wanted) => [...document.querySelectorAll('#messages li .text')].some((item) => item.textContent === wanted),
      text,
      { timeout: timeoutMs },
    );
  }

  async waitForNotice(part: string, timeoutMs = 10_000): Promise<string> {
    await this.page.waitForFunction(
      (wanted) =>
        [...document.querySelectorAll('#messages li.notice')].some((item) => item.textContent?.includes(wanted)),
      part,
      { timeout: timeoutMs },
    );
    return (await this.notices()).find((notice) => notice.includes(part)) ?? '';
  }

  /**
   * Starts recording every change of the status line, however brief (a reconnect can take a few
   * milliseconds, too quick for polling), and marks the document so a reload would show.
   */
  async watch(): Promise<void> {
    await this.page.evaluate(() => {
      const status = document.getElementById('status') as HTMLElement;
      const seen: { state: string; text: string }[] = [];
      const watched = window as unknown as { statusChanges: typeof seen; sameDocument: boolean };
      watched.statusChanges = seen;
      watched.sameDocument = true;
      new MutationObserver(() => {
        const change = { state: status.dataset.state ?? '', text: status.textContent ?? '' };
        const last = seen.at(-1);
        if (last?.state !== change.state || last.text !== change.text) seen.push(change);
      }).observe(status, { attributes: true, childList: true, characterData: true, subtree: true });
    });
  }

  /** Status changes since watch(); throws if the page was reloaded meanwhile (the record would be gone). */
  async statusChanges(): Promise<StatusChange[]> {
    const { changes, same } = await this.page.evaluate(() => {
      const watched = window as unknown as { statusChanges?: StatusChange[]; sameDocument?: boolean };
      return { changes: watched.statusChanges ?? [], same: watched.sameDocument === true };
    });
    if (!same) throw new Error(`${this.who}'s page was reloaded since watch()`);
    return changes;
  }

  async screenshot(): Promise<Buffer> {
    return this.page.screenshot();
  }
}
