interface ImportMetaEnv {
  /** The project's web config as JSON, baked into a hosting build; without it the page reads Firebase Hosting's. */
  readonly VITE_FIREBASE_CONFIG?: string;
}
