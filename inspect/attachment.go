package inspect

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

const (
	maxDepth  = 10 // multipart and forwarded-message nesting
	maxListed = 20 // names kept for messages
)

// copyBuffers are the buffers attachments are copied through: thousands
// of messages a sync would otherwise each allocate one.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// csvTypes are media types that mean CSV whatever the file is called.
var csvTypes = map[string]bool{
	"text/csv":                      true,
	"text/comma-separated-values":   true,
	"text/x-csv":                    true,
	"text/x-comma-separated-values": true,
	"application/csv":               true,
	"application/x-csv":             true,
}

type partKind int

const (
	bodyPart partKind = iota
	csvPart
	otherPart
)

// classify decides what a leaf part is. A CSV is a file named *.csv (any
// case, any Content-Type: Outlook sends application/vnd.ms-excel), or a part
// typed text/csv (or a synonym) unless its name says it is something else.
// Unnamed text parts that are not attachments are the message text.
// go-message would call a text/csv part without Content-Disposition
// "inline"; we look at the name and type of every part instead.
func classify(mediaType, disposition, name string) partKind {
	ext := strings.ToLower(path.Ext(name))
	_, looksElse := lookalikeOf(mediaType, name)
	switch {
	case ext == ".csv":
		return csvPart
	case looksElse:
		return otherPart
	case csvTypes[mediaType]:
		return csvPart
	case name == "" && disposition != "attachment" && strings.HasPrefix(mediaType, "text/"):
		return bodyPart
	}
	return otherPart
}

// walker walks the MIME tree of one message, streaming: it never holds a
// part's body, and copies the first CSV to dst while hashing it.
type walker struct {
	limit      int64
	loopHeader string
	src        *source
	dst        *sink

	nCSV       int
	csvNames   []string // first maxListed
	csv        *Attachment
	csvProblem string

	nOthers int
	others  []Attachment // first maxListed

	names []string // every attachment's name in order, CSVs too; first maxListed

	ownForwarded bool   // a forwarded message carried our loop header: its CSV is ours, skipped
	broken       string // first structural problem
}

func newWalker(p Policy, src *source, dst *sink) *walker {
	return &walker{
		limit:      p.AttachmentLimit(),
		loopHeader: p.LoopHeader,
		src:        src,
		dst:        dst,
	}
}

// ioFailed reports whether reading the message or writing dst failed; the
// walk stops and Inspect returns that error.
func (w *walker) ioFailed() bool { return w.src.err != nil || w.dst.err != nil }

func (w *walker) fail(s string) {
	if w.broken == "" {
		w.broken = s
	}
}

// failRead records a structural problem from a parse or read error, unless
// it was really an I/O failure.
func (w *walker) failRead(err error) {
	if w.ioFailed() {
		return
	}
	// textproto's MultipartReader formats io.EOF into its error with %v
	// ("multipart: NextPart: EOF"), so the text is all there is to test.
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.HasSuffix(err.Error(), "EOF") {
		w.fail("the email ends in the middle of a part; it may have been cut off")
		return
	}
	w.fail(truncate(err.Error(), 200))
}

// entity handles one entity: the message itself, a part, or a forwarded
// message. body is the raw (still transfer-encoded) body.
func (w *walker) entity(h message.Header, body io.Reader, depth int) {
	mt, params := parseMediaHeader(h.Get("Content-Type"))
	if !strings.Contains(mt, "/") {
		mt = "text/plain" // RFC 2045 section 5.2: missing or invalid Content-Type
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		w.multipart(body, params["boundary"], depth)
	case mt == "message/rfc822" || mt == "message/global":
		w.message(h, mt, body, depth)
	default:
		w.leaf(h, mt, params, body)
	}
}

func (w *walker) multipart(body io.Reader, boundary string, depth int) {
	if depth >= maxDepth {
		w.fail(fmt.Sprintf("its parts are nested more than %d levels deep", maxDepth))
		return
	}
	if boundary == "" {
		w.fail("a multipart section has no boundary")
		return
	}
	mr := textproto.NewMultipartReader(body, boundary)
	var prev io.Reader
	for {
		// Finish the previous part here, outside the header limit, rather
		// than letting NextPart skip it.
		if prev != nil {
			if _, err := io.Copy(io.Discard, prev); err != nil {
				w.failRead(err)
				return
			}
		}
		w.src.limitHeader()
		part, err := mr.NextPart()
		w.src.unlimit()
		if err == io.EOF {
			return
		}
		if err != nil {
			w.failRead(err)
			return
		}
		prev = part
		w.entity(message.Header{Header: part.Header}, part, depth+1)
		if w.ioFailed() {
			return
		}
	}
}

// message opens a forwarded message/rfc822 part, which go-message leaves
// closed, and walks it like the outer message.
func (w *walker) message(h message.Header, mt string, body io.Reader, depth int) {
	if depth >= maxDepth {
		w.fail(fmt.Sprintf("it holds forwarded emails nested more than %d levels deep", maxDepth))
		return
	}
	dec, err := transferDecoder(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		_, dparams := parseMediaHeader(h.Get("Content-Disposition"))
		w.addOther(Attachment{Filename: cleanFilename(dparams["filename"]), ContentType: mt})
		return
	}
	br := bufio.NewReader(dec)
	w.src.limitHeader()
	th, err := textproto.ReadHeader(br)
	w.src.unlimit()
	if err != nil {
		w.failRead(fmt.Errorf("a forwarded email has a malformed header: %w", err))
		return
	}
	inner := message.Header{Header: th}
	if w.loopHeader != "" && inner.Has(w.loopHeader) {
		w.ownForwarded = true
		return
	}
	w.entity(inner, br, depth+1)
}

func (w *walker) leaf(h message.Header, mt string, params map[string]string, body io.Reader) {
	disp, dparams := parseMediaHeader(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	a := Attachment{Filename: cleanFilename(name), ContentType: mt}
	switch classify(mt, disp, a.Filename) {
	case bodyPart:
	case csvPart:
		w.nCSV++
		if len(w.csvNames) < maxListed {
			w.csvNames = append(w.csvNames, a.Filename)
		}
		w.addName(a.Filename)
		if w.nCSV > 1 {
			return // several CSVs is a problem whatever they hold: not read
		}
		w.csvProblem = w.copyCSV(h, &a, body)
		w.csv = &a
	default:
		w.addOther(a)
	}
}

func (w *walker) addOther(a Attachment) {
	w.nOthers++
	if len(w.others) < maxListed {
		w.others = append(w.others, a)
	}
	w.addName(a.Filename)
}

func (w *walker) addName(name string) {
	if len(w.names) < maxListed {
		w.names = append(w.names, name)
	}
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// copyCSV streams the transfer-decoded body into dst and the hash, stopping
// one byte past the size limit, and returns a problem for the sender or "".
func (w *walker) copyCSV(h message.Header, a *Attachment, body io.Reader) string {
	name := quoteName(a.Filename)
	cte := h.Get("Content-Transfer-Encoding")
	dec, err := transferDecoder(cte, body)
	if err != nil {
		return fmt.Sprintf("The CSV file %s uses a transfer encoding this service cannot read (%s). Attach the file again using an ordinary email program.",
			name, truncate(strings.TrimSpace(cte), 40))
	}

	var head [8]byte
	n, err := readHead(dec, head[:])
	eof := err == io.EOF
	switch {
	case err != nil && !eof:
		return w.readProblem(name, err)
	case n == 0:
		return fmt.Sprintf("The CSV file %s is empty.", name)
	case bytes.HasPrefix(head[:n], zipMagic):
		return fmt.Sprintf(`The file %s is not a CSV file: it is an Excel workbook or another zip archive named .csv. Open it in your spreadsheet program, save it as "CSV (Comma delimited) (*.csv)" and attach that file.`, name)
	case bytes.Equal(head[:n], oleMagic):
		return fmt.Sprintf(`The file %s is not a CSV file: it is an Excel 97-2003 workbook named .csv. Open it in your spreadsheet program, save it as "CSV (Comma delimited) (*.csv)" and attach that file.`, name)
	}

	hash := sha256.New()
	dst := io.MultiWriter(w.dst, hash)
	size := int64(n)
	if size <= w.limit {
		if _, err := dst.Write(head[:n]); err != nil {
			return "" // Inspect reports the write error
		}
		if !eof {
			buf := copyBuffers.Get().(*[]byte)
			m, err := io.CopyBuffer(dst, io.LimitReader(dec, w.limit+1-size), *buf)
			copyBuffers.Put(buf)
			size += m
			if err != nil {
				return w.readProblem(name, err)
			}
		}
	}
	if size > w.limit {
		return fmt.Sprintf("The CSV file %s is larger than the %s limit. Send a smaller file.", name, formatBytes(w.limit))
	}
	a.Size = size
	hash.Sum(a.SHA256[:0])
	return ""
}

// readHead reads until p is full or the reader fails; unlike io.ReadFull it
// returns the reader's own error, so a truncated part is not mistaken for a
// short file.
func readHead(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (w *walker) readProblem(name string, err error) string {
	if w.ioFailed() {
		return "" // Inspect reports the I/O error
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("The email ended before the CSV file %s was complete; it may have been cut off. Send it again.", name)
	}
	return fmt.Sprintf("The CSV file %s could not be decoded (%s). Attach it again and resend.", name, truncate(err.Error(), 120))
}

// result turns what the walk found into the single CSV or a problem for the
// sender.
func (w *walker) result() (*Attachment, []Attachment, string) {
	switch {
	case w.nCSV > 1:
		return nil, w.others, fmt.Sprintf("The email has %d CSV files attached (%s). Attach exactly one CSV file per email.",
			w.nCSV, nameList(w.csvNames, w.nCSV))
	case w.nCSV == 1 && w.csvProblem != "":
		return nil, w.others, w.csvProblem
	case w.broken != "":
		return nil, w.others, fmt.Sprintf("The email could not be read completely: %s. Send it again with the CSV file attached.", w.broken)
	case w.nCSV == 1:
		return w.csv, w.others, ""
	}
	for _, a := range w.others {
		if l, ok := lookalikeOf(a.ContentType, a.Filename); ok {
			return nil, w.others, fmt.Sprintf("No CSV file is attached: %s is %s. %s", quoteName(a.Filename), l.what, l.advice)
		}
	}
	if w.ownForwarded {
		return nil, w.others, "No CSV file is attached: the forwarded email is a results email from this service. Attach your own CSV file and send it again."
	}
	return nil, w.others, "No CSV file is attached. Attach exactly one .csv file and send the email again."
}

func quoteName(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return `"` + name + `"`
}

func nameList(names []string, total int) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteName(n)
	}
	s := strings.Join(q, ", ")
	if total > len(names) {
		s += fmt.Sprintf(" and %d more", total-len(names))
	}
	return s
}

func formatBytes(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n >= kib && n%kib == 0:
		return fmt.Sprintf("%d KiB", n/kib)
	case n >= kib:
		return fmt.Sprintf("%.1f KiB", float64(n)/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}
