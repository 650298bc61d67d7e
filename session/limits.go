package session

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Bounded resources: whatever the server or a peer sends, the session's
// memory and work stay bounded.
//
//   - A stanza may be at most maxStanzaBytes long: the bytes read from the
//     connection since the end of the previous top-level element are
//     counted (limitConn), so that even one endless text node is cut off
//     before it is buffered.
//   - A stanza may nest at most maxStanzaDepth elements.
//   - DTDs, processing instructions and comments end the stream (mellium's
//     stream reader refuses them; encoding/xml never expands entities
//     other than the five predefined ones and refuses undefined ones), and
//     so does invalid UTF-8 (encoding/xml refuses it).
//   - Stanzas are read at most stanzaRate a second after a burst of
//     stanzaBurst: a flood waits in the server's queue and the TCP window,
//     not in our memory.
//   - The event queue is bounded: see queueLimits.
const (
	maxStanzaBytes = 1 << 20
	maxStanzaDepth = 32
	// limitSlack covers what the TLS record layer and the XML decoder's
	// buffer read ahead of the stanza being decoded.
	limitSlack = 64 << 10

	// The cap is well above what a busy account receives (a MAM catch-up
	// of 10,000 messages arrives as fast as the server can page) and well
	// below what would let a flood hold the CPU: each stanza costs the
	// client about 0.1 ms.
	stanzaBurst = 5000
	stanzaRate  = 5000 // per second
)

var (
	errStanzaTooLarge = fmt.Errorf("the server sent a stanza larger than %d KiB", maxStanzaBytes>>10)
	errStanzaTooDeep  = fmt.Errorf("the server sent a stanza nested more than %d elements deep", maxStanzaDepth)
	errDirective      = errors.New("the server sent an XML directive (a DTD or entity declaration)")
)

// limitBroken says, in the user's language, that the connection was
// closed because the server broke the stream limit lim.
func (s *Session) limitBroken(lim error) string {
	switch lim {
	case errStanzaTooLarge:
		return s.lang.T("Palisade closed the connection: the server sent a stanza larger than {{.KiB}} KiB", l10n.Args{"KiB": maxStanzaBytes >> 10})
	case errStanzaTooDeep:
		return s.lang.T("Palisade closed the connection: the server sent a stanza nested more than {{.Depth}} elements deep", l10n.Args{"Depth": maxStanzaDepth})
	case errDirective:
		return s.lang.T("Palisade closed the connection: the server sent an XML directive (a DTD or entity declaration)")
	}
	return s.lang.T("Palisade closed the connection: {{.Err}}", l10n.Args{"Err": lim.Error()})
}

// limitConn counts the bytes read since the last mark and fails the read
// that goes past the limit, which ends the stream.
type limitConn struct {
	net.Conn
	n     atomic.Int64
	limit int64
}

func newLimitConn(c net.Conn) *limitConn {
	return &limitConn{Conn: c, limit: maxStanzaBytes + limitSlack}
}

func (l *limitConn) Read(p []byte) (int, error) {
	if l.n.Load() > l.limit {
		return 0, errStanzaTooLarge
	}
	n, err := l.Conn.Read(p)
	if l.n.Add(int64(n)) > l.limit {
		return n, errStanzaTooLarge
	}
	return n, err
}

// mark starts counting afresh: called at each top-level token.
func (l *limitConn) mark() { l.n.Store(0) }

// stanzaReader passes the tokens of one stanza through, ending it with an
// error when it nests too deep or carries a directive. It is the reader
// the read loop decodes every stanza from.
type stanzaReader struct {
	r     xml.TokenReader
	depth int
	max   int
}

func (r *stanzaReader) Token() (xml.Token, error) {
	tok, err := r.r.Token()
	switch tok.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > r.max {
			return nil, errStanzaTooDeep
		}
	case xml.EndElement:
		r.depth--
	case xml.Directive, xml.ProcInst:
		return nil, errDirective
	}
	return tok, err
}

// rateLimiter is a token bucket for inbound stanzas. wait blocks until the
// next stanza may be handled (or done closes).
type rateLimiter struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newRateLimiter(rate, burst int) *rateLimiter {
	return &rateLimiter{rate: float64(rate), burst: float64(burst), tokens: float64(burst)}
}

// take takes one token at time now and returns how long to wait before
// the stanza may be handled (0: at once).
func (l *rateLimiter) take(now time.Time) time.Duration {
	if l.rate <= 0 {
		return 0
	}
	if !l.last.IsZero() {
		l.tokens += now.Sub(l.last).Seconds() * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}

// queueLimits bound the event queue between the session and its consumer
// (the GUI or headless mode), which a flood could otherwise grow without
// limit while the consumer is slow:
//
//   - below soft, every event is queued, as before;
//   - from soft on, transient events are coalesced: a chat state replaces
//     the queued chat state of the same peer, a presence the queued presence
//     of the same resource (the consumer sees the latest state, as it would
//     have after applying both);
//   - at hard, the session waits for the consumer to catch up before
//     queueing more (back-pressure: the read loop stops reading, the server
//     keeps the rest). No message, receipt or error is ever dropped.
type queueLimits struct {
	soft, hard int
}

var defaultQueueLimits = queueLimits{soft: 5000, hard: 20000}

// coalesceKey returns the key under which an event replaces an older
// queued one once the queue is over its soft limit ("" = never replaced).
func coalesceKey(e event.Event) string {
	switch e := e.(type) {
	case event.ChatState:
		return "chatstate\x00" + e.From
	case event.Presence:
		return "presence\x00" + e.From
	}
	return ""
}

// limitState is the session's share of the bounds.
type limitState struct {
	q queueLimits
	// evKeys maps a coalescing key to the index in Session.evQ of the
	// event queued under it (guarded by Session.evMu).
	evKeys map[string]int
	// coalesced counts transient events replaced in the queue by newer
	// ones while it was over its soft limit.
	coalesced atomic.Int64

	// Inbound stanzas per second and burst; 0 rate: no cap.
	stanzaRate, stanzaBurst int
}

func (s *Session) initLimits() {
	s.lim.q = defaultQueueLimits
	s.lim.evKeys = map[string]int{}
	s.lim.stanzaRate, s.lim.stanzaBurst = stanzaRate, stanzaBurst
	s.guard.iqTo = map[string]string{}
}
