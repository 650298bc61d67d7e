package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Problem codes in a Report.
const (
	ProblemTorn         = "torn"           // the last line is incomplete (no end of line)
	ProblemMalformed    = "malformed"      // a line is not an entry in the canonical form
	ProblemAltered      = "altered"        // an entry's hash does not match its content
	ProblemChanged      = "changed"        // an entry was changed after the next one was written (its hash was recomputed)
	ProblemMissing      = "missing"        // entries are missing (deleted)
	ProblemReordered    = "reordered"      // entries are out of order
	ProblemInserted     = "inserted"       // an entry repeats a sequence number already seen
	ProblemAnchor       = "anchor"         // the anchored entry is missing or differs
	ProblemBadFirstLink = "bad-first-prev" // the first entry does not start the chain
)

// Problem is the first fault Verify found.
type Problem struct {
	Code string `json:"code"` // one of the Problem* constants
	Line int    `json:"line"` // 1-based line number of the bad entry (for missing entries: where they should be)
	Seq  uint64 `json:"seq"`  // sequence number of the first bad (or missing) entry, 0 when unknown
	Msg  string `json:"msg"`  // one sentence naming the entry and what is wrong
}

func (p *Problem) String() string { return p.Msg }

// Report is the outcome of a verification.
type Report struct {
	OK      bool     `json:"ok"`
	Entries int      `json:"entries"`           // entries read that verified, before any problem
	Head    Anchor   `json:"head"`              // the last entry that verified (zero when none)
	Problem *Problem `json:"problem,omitempty"` // the first fault, nil when OK
	// GoodBytes is the length of the file prefix holding the entries that
	// verified (where a torn tail starts, for ProblemTorn).
	GoodBytes int64 `json:"good_bytes"`
}

// Anchor names one entry of the chain: export the head to let IT check later
// that the log still holds it.
type Anchor struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// String is "seq:hash".
func (a Anchor) String() string { return fmt.Sprintf("%d:%s", a.Seq, a.Hash) }

// ParseAnchor reads "seq:hash", as Anchor.String writes it.
func ParseAnchor(s string) (Anchor, error) {
	seqS, h, ok := strings.Cut(strings.TrimSpace(s), ":")
	var a Anchor
	if !ok {
		return a, fmt.Errorf("audit: anchor %q: want SEQ:HASH", s)
	}
	if _, err := fmt.Sscanf(seqS, "%d", &a.Seq); err != nil || a.Seq == 0 || fmt.Sprint(a.Seq) != seqS {
		return a, fmt.Errorf("audit: anchor %q: the sequence number must be a positive integer", s)
	}
	if !isHash(h) {
		return a, fmt.Errorf("audit: anchor %q: the hash must be 64 lower-case hex digits", s)
	}
	a.Hash = h
	return a, nil
}

// VerifyOptions adjusts Verify.
type VerifyOptions struct {
	// Anchor, when set, must name an entry of the log with the same hash;
	// this catches a log cut short at a line boundary or rebuilt from
	// scratch after the anchor was exported.
	Anchor *Anchor
}

// Verify reads a whole log and checks its chain. The error is only for a
// failing reader; a fault in the log is the Report's Problem.
func Verify(r io.Reader) (Report, error) { return VerifyWith(r, VerifyOptions{}) }

type record struct {
	line int
	seq  uint64
	prev string
	hash string
	end  int64 // offset after the line
	prob *Problem
}

// VerifyWith is Verify with options.
func VerifyWith(r io.Reader, o VerifyOptions) (Report, error) {
	recs, err := readRecords(r)
	if err != nil {
		return Report{}, err
	}
	rep := check(recs)
	if rep.Problem == nil && o.Anchor != nil {
		rep.Problem = checkAnchor(recs, *o.Anchor)
	}
	rep.OK = rep.Problem == nil
	return rep, nil
}

func readRecords(r io.Reader) ([]record, error) {
	br := bufio.NewReader(r)
	var recs []record
	var off int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			off += int64(len(b))
			rec := record{line: line, end: off}
			if b[len(b)-1] != '\n' {
				rec.prob = &Problem{Code: ProblemTorn, Line: line,
					Msg: fmt.Sprintf("line %d is incomplete (%d bytes, no end of line): a torn write or a file cut short", line, len(b))}
			} else {
				parseLine(&rec, b[:len(b)-1])
			}
			recs = append(recs, rec)
		}
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("audit: reading the log: %w", err)
		}
	}
}

const hashMemberLen = len(`,"hash":"`) + 64 + len(`"}`)

// parseLine fills rec from one line (without its "\n").
func parseLine(rec *record, b []byte) {
	bad := func(format string, a ...any) {
		rec.prob = &Problem{Code: ProblemMalformed, Line: rec.line, Seq: rec.seq, Msg: fmt.Sprintf("line %d is not a valid entry: ", rec.line) + fmt.Sprintf(format, a...)}
	}
	if len(b) < hashMemberLen+2 || !bytes.HasPrefix(b[len(b)-hashMemberLen:], []byte(`,"hash":"`)) || b[len(b)-1] != '}' || b[len(b)-2] != '"' {
		bad(`it does not end with a "hash" member`)
		return
	}
	hash := string(b[len(b)-hashMemberLen+len(`,"hash":"`) : len(b)-2])
	if !isHash(hash) {
		bad("its hash is not 64 lower-case hex digits")
		return
	}
	canon := make([]byte, 0, len(b)-hashMemberLen+1)
	canon = append(canon, b[:len(b)-hashMemberLen]...)
	canon = append(canon, '}')
	var e body
	d := json.NewDecoder(bytes.NewReader(canon))
	d.UseNumber()
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		bad("%v", err)
		return
	}
	if d.More() {
		bad("extra data after the entry")
		return
	}
	rec.seq = e.Seq
	switch {
	case e.Seq == 0:
		bad("seq must be 1 or more")
	case !validKind(e.Kind):
		bad("kind %q is not a valid kind", e.Kind)
	case !isHash(e.Prev):
		bad("prev is not 64 lower-case hex digits")
	case e.Fields == nil:
		bad("fields must be an object")
	default:
		if t, err := time.Parse(time.RFC3339Nano, e.Time); err != nil || t.Location() != time.UTC || t.Format(time.RFC3339Nano) != e.Time {
			bad("time %q is not UTC RFC 3339", e.Time)
			break
		}
		again, err := json.Marshal(e)
		if err != nil || !bytes.Equal(again, canon) {
			bad("entry seq %d is not in canonical form (members, order, spacing or escaping differ)", e.Seq)
			break
		}
		sum := sha256.Sum256(canon)
		if hex.EncodeToString(sum[:]) != hash {
			rec.prob = &Problem{Code: ProblemAltered, Line: rec.line, Seq: e.Seq,
				Msg: fmt.Sprintf("entry seq %d (line %d) was altered: its hash does not match its content", e.Seq, rec.line)}
		}
	}
	rec.prev, rec.hash = e.Prev, hash
}

// check walks the chain and reports the first fault.
func check(recs []record) Report {
	var rep Report
	firstLine := map[uint64]int{} // seq -> first line holding it
	for _, r := range recs {
		if r.seq > 0 {
			if _, ok := firstLine[r.seq]; !ok {
				firstLine[r.seq] = r.line
			}
		}
	}
	head := Genesis
	var headSeq uint64
	for i, r := range recs {
		want := headSeq + 1
		fail := func(p *Problem) Report {
			rep.Problem = p
			return rep
		}
		if r.prob != nil && r.prob.Code != ProblemAltered {
			return fail(r.prob)
		}
		switch {
		case r.seq > want:
			if l, ok := firstLine[want]; ok && l > r.line {
				return fail(&Problem{Code: ProblemReordered, Line: r.line, Seq: r.seq,
					Msg: fmt.Sprintf("entries are out of order: line %d holds seq %d where seq %d was expected (seq %d is at line %d)", r.line, r.seq, want, want, l)})
			}
			what := fmt.Sprintf("entry seq %d is missing", want)
			if r.seq > want+1 {
				what = fmt.Sprintf("entries seq %d to %d are missing", want, r.seq-1)
			}
			return fail(&Problem{Code: ProblemMissing, Line: r.line, Seq: want,
				Msg: fmt.Sprintf("%s (deleted): line %d holds seq %d", what, r.line, r.seq)})
		case r.seq < want:
			if firstLine[r.seq] < r.line && r.seq > 0 {
				return fail(&Problem{Code: ProblemInserted, Line: r.line, Seq: r.seq,
					Msg: fmt.Sprintf("line %d repeats seq %d, already at line %d (an inserted or copied entry)", r.line, r.seq, firstLine[r.seq])})
			}
			return fail(&Problem{Code: ProblemReordered, Line: r.line, Seq: r.seq,
				Msg: fmt.Sprintf("entries are out of order: line %d holds seq %d after seq %d", r.line, r.seq, headSeq)})
		}
		if r.prob != nil { // altered, at the expected place
			return fail(r.prob)
		}
		if r.prev != head {
			if i == 0 {
				return fail(&Problem{Code: ProblemBadFirstLink, Line: r.line, Seq: r.seq,
					Msg: fmt.Sprintf("entry seq %d (line %d) is first but its prev is not the genesis value: the log does not start at its beginning", r.seq, r.line)})
			}
			p := recs[i-1]
			return fail(&Problem{Code: ProblemChanged, Line: p.line, Seq: p.seq,
				Msg: fmt.Sprintf("entry seq %d (line %d) was changed after it was chained: entry seq %d (line %d) names a different hash for it", p.seq, p.line, r.seq, r.line)})
		}
		head, headSeq = r.hash, r.seq
		rep.Entries++
		rep.Head = Anchor{Seq: r.seq, Hash: r.hash}
		rep.GoodBytes = r.end
	}
	return rep
}

func checkAnchor(recs []record, a Anchor) *Problem {
	for _, r := range recs {
		if r.seq == a.Seq {
			if r.hash == a.Hash {
				return nil
			}
			return &Problem{Code: ProblemAnchor, Line: r.line, Seq: r.seq,
				Msg: fmt.Sprintf("entry seq %d (line %d) differs from the anchor: the log was rewritten from there on", r.seq, r.line)}
		}
	}
	return &Problem{Code: ProblemAnchor, Line: len(recs) + 1, Seq: a.Seq,
		Msg: fmt.Sprintf("the anchored entry seq %d is missing: the log ends at seq %d, before line %d (entries were cut off the end)", a.Seq, lastSeq(recs), len(recs)+1)}
}

func lastSeq(recs []record) uint64 {
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].seq
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func validKind(k string) bool {
	if k == "" || len(k) > 64 || !('a' <= k[0] && k[0] <= 'z') {
		return false
	}
	for _, c := range k {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// ErrBroken is matched (errors.Is) by the error Open returns for a log
// whose chain is broken other than by a torn last line.
var ErrBroken = errors.New("audit: the log's hash chain is broken")

// BrokenError carries the verification report of a broken log.
type BrokenError struct {
	Path   string
	Report Report
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit: %s: the hash chain is broken: %s; the file was left as it is (run 'client audit verify')", e.Path, e.Report.Problem.Msg)
}

// Is makes errors.Is(err, ErrBroken) true.
func (e *BrokenError) Is(target error) bool { return target == ErrBroken }
