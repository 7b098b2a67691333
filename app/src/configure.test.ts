import { deleteApp, getApps, initializeApp } from 'firebase/app';
import { getAuth } from 'firebase/auth';
import { afterEach, describe, expect, it } from 'vitest';
import { configure, type Firecall } from './configure';

const config = { apiKey: 'demo-api-key', projectId: 'demo-firecall', appId: '1:1:web:1' };
const opened: Firecall[] = [];
const open = (...args: Parameters<typeof configure>) => {
  const firecall = configure(...args);
  opened.push(firecall);
  return firecall;
};

afterEach(async () => {
  for (const firecall of opened.splice(0)) firecall.dispose();
  await Promise.all(getApps().map((app) => deleteApp(app)));
});

describe("configure() follows the host page's Firebase", () => {
  it("uses the page's default app and the very Auth the page signs in with", () => {
    const app = initializeApp(config);
    const firecall = open({
      signaling: () => {
        throw new Error('not used');
      },
    });
    expect(firecall.app).toBe(app);
    expect(firecall.auth).toBe(getAuth());
    expect(getApps()).toHaveLength(1);
  });

  it('initializes the default app from firebaseConfig only when the page has none', () => {
    const firecall = open({ firebaseConfig: config });
    expect(firecall.app.name).toBe('[DEFAULT]');
    expect(getAuth()).toBe(firecall.auth);
    // A second configure() on the same page reuses it instead of making a second app and Auth.
    expect(open({ firebaseConfig: config }).auth).toBe(firecall.auth);
    expect(getApps()).toHaveLength(1);
  });

  it('takes another app when the host names it', () => {
    initializeApp(config);
    const other = initializeApp({ ...config, projectId: 'demo-other' }, 'crm-tenant');
    expect(open({ firebaseApp: other }).auth).toBe(getAuth(other));
  });

  it('says what is missing or mismatched instead of creating a second app', () => {
    expect(() => configure()).toThrow(
      'configure() found no Firebase app: call initializeApp(firebaseConfig) first, or pass firebaseConfig or firebaseApp.',
    );
    initializeApp(config);
    expect(() => configure({ firebaseConfig: { ...config, projectId: 'demo-elsewhere' } })).toThrow(
      'the page\'s Firebase app is project "demo-firecall", not "demo-elsewhere"',
    );
    expect(() => configure({ emulators: { firestore: 'localhost' } })).toThrow(
      'emulators.firestore must look like "127.0.0.1:5001", got "localhost".',
    );
    expect(getApps()).toHaveLength(1);
  });

  it("connects the host's Auth to the Auth emulator once, leaving one the host connected itself", () => {
    initializeApp(config);
    const firecall = open({ emulators: { auth: 'http://127.0.0.1:9099', functions: '127.0.0.1:5001', firestore: '127.0.0.1:8080' } });
    expect(firecall.auth.emulatorConfig).toMatchObject({ host: '127.0.0.1', port: 9099 });
    expect(() => open({ emulators: { auth: 'http://127.0.0.1:9099' } })).not.toThrow();
  });
});
