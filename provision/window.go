package provision

import (
	"connectord/pushfile"
	"connectord/store"
)

// windowRows is how many rows are read ahead of the one being decided, so
// that their Local IDs are looked up together, in the index's order
// (store.DirectoryTx.ByLocalIDs), rather than one random descent a row.
// Memory is bounded by the window (about 1 KB a row, with its lookup), not by the file.
const windowRows = 4096

// window is the rows read ahead and what their Local IDs found.
type window struct {
	size int            // windowRows when 0
	rows []pushfile.Row // copies: the reader reuses its row
	ids  []string
	// looked holds, by store.FoldLocalID, each Local ID asked for in
	// this window and its entry when found. A row that writes an entry
	// removes its Local ID, so a later row asks the directory again and
	// sees the change, as when every row was looked up on its own.
	looked map[string]lookedUp
}

type lookedUp struct {
	m     store.Mailbox
	found bool
}

// fill reads up to w.size rows into w.rows and looks up their Local
// IDs. readErr is the reader's error (io.EOF at the end; nil when the
// window is full), which comes after the rows read before it: they are
// still to be decided. err is the lookup's.
func (w *window) fill(rd *pushfile.Reader, tx *store.DirectoryTx) (readErr, err error) {
	if w.looked == nil {
		if w.size <= 0 {
			w.size = windowRows
		}
		w.rows = make([]pushfile.Row, 0, w.size)
		w.looked = make(map[string]lookedUp, w.size)
	}
	w.rows, w.ids = w.rows[:0], w.ids[:0]
	clear(w.looked)
	for len(w.rows) < w.size {
		row, err := rd.Next()
		if err != nil {
			readErr = err
			break
		}
		w.rows = w.rows[:len(w.rows)+1]
		row.CopyTo(&w.rows[len(w.rows)-1])
		if id := row.Value[pushfile.LocalID]; id != "" && row.Valid() {
			key := store.FoldLocalID(id)
			if _, ok := w.looked[key]; !ok {
				w.looked[key] = lookedUp{}
				w.ids = append(w.ids, id)
			}
		}
	}
	err = tx.ByLocalIDs(w.ids, func(m *store.Mailbox) error {
		w.looked[store.FoldLocalID(m.LocalID)] = lookedUp{m: *m, found: true}
		return nil
	})
	return readErr, err
}

// byLocalID loads the entry with Local ID id into r.mb, from the window
// when it was looked up there and nothing since has written it.
func (r *run) byLocalID(id string) (bool, error) {
	if l, ok := r.win.looked[store.FoldLocalID(id)]; ok {
		r.mb = l.m
		return l.found, nil
	}
	return r.tx.ByLocalID(id, &r.mb)
}

// wrote says the entry with Local ID id was created or changed.
func (r *run) wrote(id string) { delete(r.win.looked, store.FoldLocalID(id)) }
