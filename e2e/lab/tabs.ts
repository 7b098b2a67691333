/**
 * Several tabs in one Chromium inside a side's namespace: the load run's 8 callers share
 * one browser, and so do the 8 callees. The browser comes from lab/browser.ts (wrapper,
 * flags, cleanup on dispose); each further tab is served the same in-memory page.
 */
import type { Page } from 'playwright-core';
import { launchPeer, type PageAssets, type Peer } from './browser';
import type { Lab, Side } from './topology';

export interface Tabs {
  peer: Peer;
  pages: Page[];
}

export async function launchTabs(lab: Lab, side: Side, assets: PageAssets, count: number): Promise<Tabs> {
  const peer = await launchPeer(lab, side, assets);
  try {
    const pages = [peer.page];
    while (pages.length < count) pages.push(await openTab(peer, assets));
    return { peer, pages };
  } catch (error) {
    await peer.close();
    throw error;
  }
}

async function openTab(peer: Peer, assets: PageAssets, entry = '/index.html'): Promise<Page> {
  const page = await peer.browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.route('http://localhost/**', async (route) => {
    const asset = assets[new URL(route.request().url()).pathname];
    if (!asset) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: asset[0], body: asset[1] });
  });
  await page.goto(`http://localhost${entry}`);
  return page;
}
