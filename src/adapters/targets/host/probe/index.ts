/** Linux host diagnostics: the probe, and the pure readers of what the host prints. */
export { hostProbe, sessionFailure } from './probe.js';
export { diskFindings, loadFinding, memoryFindings, parseCpus, parseDf, parseLoadavg, parseMeminfo, type Load, type Mount } from './resources.js';
export { analysedLine, journalFindings, parseJournal, type JournalEntry } from './journal.js';
