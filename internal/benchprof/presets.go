package benchprof

import "fmt"

// Preset is how one command's time is split: Parts partition the samples
// (first match wins, so the more specific come first); Across are
// counted independently, each against the whole.
type Preset struct {
	Parts, Across []Group
}

// PresetNamed returns the preset for process or directory import (each
// with its reference) or ingest.
func PresetNamed(name string) (Preset, error) {
	switch name {
	case "process":
		return processPreset(), nil
	case "import":
		return importPreset(), nil
	case "ingest":
		return ingestPreset(), nil
	}
	return Preset{}, fmt.Errorf("preset %q: want process, import or ingest", name)
}

// The groups of issue 11 for `connectord process`, then those of the
// naive reference (benchref), which shares only the reader and the
// results writer with it.
func processPreset() Preset {
	return Preset{
		Parts: []Group{
			must("Local ID lookup (DirectoryTx.ByLocalID)", `store\.\(\*DirectoryTx\)\.ByLocalID$`),
			must("address probing (run.newAddress: AddressTaken per candidate)", `provision\.\(\*run\)\.newAddress$`),
			must("creating the rest (insert, audit, Local ID, password)", `provision\.\(\*run\)\.create$`),
			must("name matching (DirectoryTx.NameMatch)", `store\.\(\*DirectoryTx\)\.NameMatch$`),
			must("updating (update, audit)", `provision\.\(\*run\)\.existing$`),
			must("reading and validating the CSV (pushfile.Reader)", `pushfile\.\(\*Reader\)\.|pushfile\.Open$`),
			must("writing results (pushfile.ResultsWriter)", `pushfile\.\(\*ResultsWriter\)\.`),
			must("commit", `\(\*DirectoryTx\)\.Commit$|database/sql\.\(\*Tx\)\.Commit$`),
			must("reference: SELECT by Local ID", `database/sql\.\(\*Stmt\)\.QueryRowContext$|database/sql\.\(\*Row\)\.Scan$`),
			must("reference: UPSERT", `database/sql\.\(\*Stmt\)\.ExecContext$`),
			must("garbage collection (background mark, assists, sweep)", `^runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcDrain|markroot)`),
			must("Go scheduler (finding work, sysmon)", `^runtime\.(schedule|findRunnable|sysmon|mcall)$`),
			must("opening the database, migrations, sender", `store\.Open$|store\.\(\*Store\)\.(migrate|Sender|Registry)$`),
		},
		Across: []Group{
			must("SQLite (modernc.org/sqlite and its libc)", `^modernc\.org/`),
			must("SQLite: index descents (sqlite3BtreeIndexMoveto)", `^modernc\.org/sqlite/lib\._sqlite3BtreeIndexMoveto$`),
			must("SQLite: table descents by rowid (sqlite3BtreeTableMoveto)", `^modernc\.org/sqlite/lib\._sqlite3BtreeTableMoveto$`),
			must("SQLite: reading pages from the OS (readDbPage: pread)", `^modernc\.org/sqlite/lib\._readDbPage$`),
			must("SQLite: mutexes (modernc libc pthread_mutex)", `^modernc\.org/libc\.Xpthread_mutex_(lock|unlock)$`),
			must("database/sql", `^database/sql\.`),
			must("allocation (runtime.mallocgc)", `^runtime\.mallocgc`),
			must("reading the file (syscall read)", `syscall\.read$|os\.\(\*File\)\.Read$`),
		},
	}
}

// The parts of `connectord poll -once`.
func ingestPreset() Preset {
	return Preset{
		Parts: []Group{
			must("fsync (store flush, spool segment)", `store\.\(\*Store\)\.Flush$|ingest\.\(\*Segment\)\.Commit$|os\.\(\*File\)\.Sync$`),
			must("fetch: IMAP read and spool write, SHA-256", `ingest\.\(\*Poller\)\.fetch$|ingest\.\(\*Segment\)\.Append$`),
			must("read ahead: the CSV through the engine's reader", `ingest\.checkFile$`),
			must("read ahead: MIME walk, headers, authentication (Inspect)", `ingest\.Inspect$`),
			must("record: supersede (PendingForDay, Supersede)", `store\.\(\*Tx\)\.(PendingForDay|Supersede)$`),
			must("record: outbox (Enqueue, Message-ID)", `store\.\(\*Tx\)\.Enqueue$|ingest\.NewMessageID$`),
			must("record: insert submission, seen check", `store\.\(\*Tx\)\.(InsertSubmission|SeenMessage)$`),
			must("record: letters and validation report", `ingest\.(ackMail|heldMail|reviewMail|rejectMail)$|validationReport`),
			must("record: commit", `database/sql\.\(\*Tx\)\.Commit$`),
			must("record: the rest of the transaction", `ingest\.\(\*Recorder\)\.Record$`),
			must("move to Processed", `ingest\.\(\*Poller\)\.move$`),
			must("IMAP: other commands and responses", `go-imap`),
			must("garbage collection (background mark, assists, sweep)", `^runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcDrain|markroot)`),
			must("Go scheduler (finding work, sysmon)", `^runtime\.(schedule|findRunnable|sysmon|mcall)$`),
			must("opening the database, migrations", `store\.Open$|store\.\(\*Store\)\.migrate$`),
		},
		Across: []Group{
			must("SQLite (modernc.org/sqlite and its libc)", `^modernc\.org/`),
			must("database/sql", `^database/sql\.`),
			must("allocation (runtime.mallocgc)", `^runtime\.mallocgc`),
			must("SHA-256", `^crypto/(internal/fips140/)?sha256`),
		},
	}
}

// The parts of `connectord directory import`, then those of the naive
// import loop.
func importPreset() Preset {
	return Preset{
		Parts: []Group{
			must("writing the entry (DirectoryTx.Put: UPSERT by address)", `store\.\(\*DirectoryTx\)\.Put$`),
			must("checking the row (readMailbox)", `directoryfile\.readMailbox$`),
			must("reading the CSV", `directoryfile\.\(\*Table\)\.Next$|encoding/csv\.`),
			must("commit", `\(\*DirectoryTx\)\.Commit$|database/sql\.\(\*Tx\)\.Commit$`),
			must("reference: UPSERT", `database/sql\.\(\*Stmt\)\.ExecContext$`),
			must("garbage collection (background mark, assists, sweep)", `^runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcDrain|markroot)`),
			must("Go scheduler (finding work, sysmon)", `^runtime\.(schedule|findRunnable|sysmon|mcall)$`),
		},
		Across: []Group{
			must("SQLite (modernc.org/sqlite and its libc)", `^modernc\.org/`),
			must("SQLite: B-tree inserts (sqlite3BtreeInsert)", `^modernc\.org/sqlite/lib\._sqlite3BtreeInsert$`),
			must("SQLite: reading pages from the OS (readDbPage)", `^modernc\.org/sqlite/lib\._readDbPage$`),
			must("SQLite: writing the WAL (walWriteOneFrame)", `^modernc\.org/sqlite/lib\._walWriteOneFrame$|^modernc\.org/sqlite/lib\._walFrames$`),
			must("database/sql", `^database/sql\.`),
			must("allocation (runtime.mallocgc)", `^runtime\.mallocgc`),
		},
	}
}
