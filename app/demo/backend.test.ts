import { describe, expect, it, vi } from 'vitest';
import { chooseBackend, loadWebConfig, parseWebConfig } from './backend';

const webConfig = { apiKey: 'AIzaSyExample', authDomain: 'acme-crm.firebaseapp.com', projectId: 'acme-crm', appId: '1:42:web:abc' };

describe('demo backend: which Firebase the page talks to', () => {
  it('uses the emulators on the dev server and the deployed project in a build', () => {
    expect(chooseBackend({ authParam: null, devServer: true })).toBe('emulators');
    expect(chooseBackend({ authParam: 'emulator', devServer: true })).toBe('emulators');
    expect(chooseBackend({ authParam: null, devServer: false })).toBe('project');
  });

  it('a built page never picks the emulators, even when the URL asks for them', () => {
    expect(chooseBackend({ authParam: 'emulator', devServer: false })).toBe('project');
  });

  it('auth=local means no Firebase anywhere', () => {
    expect(chooseBackend({ authParam: 'local', devServer: true })).toBe('local');
    expect(chooseBackend({ authParam: 'local', devServer: false })).toBe('local');
  });
});

describe('demo backend: the web config of the deployed project', () => {
  it('reads the config Firebase Hosting serves next to the page', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(webConfig)));
    await expect(loadWebConfig({ fetch })).resolves.toEqual(webConfig);
    expect(fetch).toHaveBeenCalledWith('/__/firebase/init.json');
  });

  it('prefers a config built in with VITE_FIREBASE_CONFIG and then fetches nothing', async () => {
    const fetch = vi.fn();
    await expect(loadWebConfig({ builtIn: JSON.stringify(webConfig), fetch })).resolves.toEqual(webConfig);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('says the page is not on Firebase Hosting when init.json is missing', async () => {
    const fetch = async () => new Response('Not found', { status: 404 });
    await expect(loadWebConfig({ fetch })).rejects.toThrow(
      '/__/firebase/init.json answered 404: this page is not served by Firebase Hosting; build it with VITE_FIREBASE_CONFIG set.',
    );
  });

  it('passes on a network error with the URL it tried', async () => {
    const fetch = async () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(loadWebConfig({ fetch })).rejects.toThrow('/__/firebase/init.json could not be fetched (Failed to fetch).');
  });

  it('names the missing keys of a project without a web app, and refuses what is not JSON', () => {
    expect(() => parseWebConfig(JSON.stringify({ projectId: 'acme-crm' }), 'init.json')).toThrow(
      'init.json has no apiKey, appId: register a web app in the project (npx firebase apps:create web).',
    );
    expect(() => parseWebConfig('<html>', 'VITE_FIREBASE_CONFIG')).toThrow('VITE_FIREBASE_CONFIG is not JSON: <html>');
    expect(() => parseWebConfig('[]', 'init.json')).toThrow('init.json is not a Firebase web config object.');
  });
});
