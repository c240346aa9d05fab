/** Seams: the interfaces through which Ringtail reaches time, randomness and files. */
export type { Clock, Timer } from './clock.js';
export { RealClock } from './real-clock.js';
export { SimClock } from './sim-clock.js';
export type { Random } from './random.js';
export { SeededRandom } from './random.js';
export { RealRandom } from './real-random.js';
export type { AppendFile, Fs, ReadFile } from './fs.js';
export { dirname, joinPath, writeFileAtomic } from './fs.js';
export { RealFs } from './real-fs.js';
export { SimFs } from './sim-fs.js';
export type { CrashOptions } from './sim-fs.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
