package archive

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// SearchOptions narrows a search.
type SearchOptions struct {
	Conversation string    // only this conversation; "" for all
	Limit        int       // at most this many results; <= 0 means 50
	Before       time.Time // only messages strictly older; zero for no bound
	After        time.Time // only messages at this time or newer; zero for no bound
}

// Span is a piece of a snippet; Match marks the words that matched.
type Span struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Result is one search hit: the message (its ID is its position: pass it to
// Around to show it in context) and a snippet of its body around the
// matches, at most about 16 words, with "…" where text was left out.
type Result struct {
	Message Message `json:"message"`
	Snippet []Span  `json:"snippet"`
}

// Snippet markers: XML 1.0 cannot carry these characters, so no message
// body holds them.
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// MatchQuery turns what the user typed into an FTS5 query that can only
// search for words: every white-space separated word becomes a quoted FTS5
// string (inner quotes doubled), so that FTS5 syntax (OR, AND, NOT, NEAR,
// column filters, parentheses, ^, +) is searched as text; a word ending in
// "*" becomes a prefix search; words without a letter or digit are dropped;
// NUL characters separate words.
// It returns "" when nothing is left to search for.
func MatchQuery(input string) string {
	var terms []string
	// FTS5 reads its query as a C string: a NUL would end it early.
	input = strings.ReplaceAll(input, "\x00", " ")
	for _, w := range strings.Fields(input) {
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimRight(w, "*")
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue
		}
		t := `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		if prefix {
			t += "*"
		}
		terms = append(terms, t)
	}
	return strings.Join(terms, " ")
}

// Search finds the messages whose body holds every word of query (see
// MatchQuery: user input is never FTS5 syntax), newest first (by id, which
// follows time: see idSlots).
func (a *Archive) Search(query string, o SearchOptions) ([]Result, error) {
	match := MatchQuery(query)
	if match == "" {
		return nil, nil
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	db, err := a.handle()
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + messageColumns + `, snippet(messages_fts, 0, char(2), char(3), '…', 16)
		FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
		WHERE messages_fts MATCH ?`
	// The words are searched in the body only; a conversation narrows the
	// match through its indexed token (see the schema), then exactly in SQL.
	match = "body : (" + match + ")"
	args := []any{}
	if o.Conversation != "" {
		match += ` AND conversation_token : "` + strings.ToUpper(hex.EncodeToString([]byte(o.Conversation))) + `"`
		q += ` AND m.conversation = ?`
		args = append(args, o.Conversation)
	}
	args = append([]any{match}, args...)
	// Time bounds are also given as id bounds (ids follow time), which the
	// full-text index applies while it walks; the time test stays exact.
	if !o.Before.IsZero() {
		q += ` AND m.time < ? AND messages_fts.rowid < ?`
		args = append(args, o.Before.UnixNano(), idBase(o.Before)+idSlots)
	}
	if !o.After.IsZero() {
		q += ` AND m.time >= ? AND messages_fts.rowid >= ?`
		args = append(args, o.After.UnixNano(), idBase(o.After))
	}
	q += ` ORDER BY messages_fts.rowid DESC LIMIT ?`
	args = append(args, o.Limit)
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var snip string
		m, err := scanMessage(rows, &snip)
		if err != nil {
			return nil, err
		}
		out = append(out, Result{Message: m, Snippet: spans(snip)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	return out, nil
}

// spans splits a marked snippet into plain and matching pieces.
func spans(s string) []Span {
	var out []Span
	for s != "" {
		i := strings.Index(s, markOpen)
		if i < 0 {
			out = append(out, Span{Text: s})
			break
		}
		if i > 0 {
			out = append(out, Span{Text: s[:i]})
		}
		s = s[i+len(markOpen):]
		j := strings.Index(s, markClose)
		if j < 0 {
			j = len(s)
		}
		out = append(out, Span{Text: s[:j], Match: true})
		s = strings.TrimPrefix(s[j:], markClose)
	}
	return out
}

// SnippetText is the snippet as plain text.
func (r Result) SnippetText() string {
	var b strings.Builder
	for _, s := range r.Snippet {
		b.WriteString(s.Text)
	}
	return b.String()
}
