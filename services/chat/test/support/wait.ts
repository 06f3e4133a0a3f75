/** Bounded waits for the tests: the same helpers the scripts use (scripts/lib/wait.ts). */
export { freePort, httpStatus, portFree, sleep, waitUntil } from '../../../../scripts/lib/wait.ts';
