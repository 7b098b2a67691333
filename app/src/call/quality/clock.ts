/** The quality controller runs on the engine's injectable clock; tests pass a fake one. */
export { systemClock, type Clock as QualityClock } from '../clock';
