package event

import "time"

// History commands and events: the local archive (search, history pages,
// compliance export) and MAM (XEP-0313) catch-up. Without a local archive
// the commands are answered by an Error with code "unsupported".

// Search asks the local archive for the messages whose body holds every
// word of Query (plain words; a word ending in "*" is a prefix). Answered by
// SearchResults, newest first.
type Search struct {
	Query        string `json:"query"`
	Conversation string `json:"conversation,omitempty"` // a bare JID (peer or room); "" for all chats
	Limit        int    `json:"limit,omitempty"`        // <= 0: 50
}

// GetHistory asks for a page of a conversation from the local archive,
// oldest first. Without BeforeID or AroundID: the newest page. BeforeID:
// the page just older than that archive id (scrolling up). AroundID: that
// message with up to Limit messages on each side (jumping to a search
// result). Answered by a History event.
type GetHistory struct {
	Conversation string `json:"conversation"`
	BeforeID     string `json:"before_id,omitempty"`
	AroundID     string `json:"around_id,omitempty"`
	Limit        int    `json:"limit,omitempty"` // <= 0: 50
}

// Export writes a conversation (or all of them) over a date range to Path
// (created 0600), as JSON Lines or as a readable HTML page, each message with
// the participant's trust classification when it was stored. Answered by
// Exported.
type Export struct {
	Conversation string    `json:"conversation,omitempty"` // "" for every conversation
	From         time.Time `json:"from,omitzero"`          // messages at this time or later; zero: no bound
	To           time.Time `json:"to,omitzero"`            // messages strictly before this time; zero: no bound
	Format       string    `json:"format"`                 // "jsonl" or "html"
	Path         string    `json:"path"`
}

func (Search) CommandName() string     { return "search" }
func (GetHistory) CommandName() string { return "history" }
func (Export) CommandName() string     { return "export" }

func init() {
	register(func() Command { return &Search{} })
	register(func() Command { return &GetHistory{} })
	register(func() Command { return &Export{} })
}

// SnippetSpan is a piece of a search snippet; Match marks matched words.
type SnippetSpan struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// SearchResult is one hit. ID is the archive id: pass it as AroundID to
// GetHistory to show the message in context.
type SearchResult struct {
	ID           string        `json:"id"`
	Conversation string        `json:"conversation"` // bare JID of the peer or room
	From         string        `json:"from"`         // the sender (full JID; room@service/nick in a room)
	Time         time.Time     `json:"time"`
	Snippet      string        `json:"snippet"`         // the body around the matches, "…" where text was left out
	Spans        []SnippetSpan `json:"spans,omitempty"` // the same snippet in pieces, matches marked
	IsRoom       bool          `json:"is_room,omitempty"`
	IsPrivate    bool          `json:"is_private,omitempty"` // a private message inside the room Conversation (never a direct chat)
	Trust        Trust         `json:"trust"`                // the participant's trust when the message was stored
}

// SearchResults answers Search.
type SearchResults struct {
	Query        string         `json:"query"`
	Conversation string         `json:"conversation,omitempty"`
	Results      []SearchResult `json:"results"`
}

// HistoryMessage is a stored message: the fields of Message (Trust is the
// peer's classification when the message was stored) plus its archive id.
type HistoryMessage struct {
	Message
	ArchiveID string `json:"archive_id"`
	IsRoom    bool   `json:"is_room,omitempty"`    // a groupchat message
	IsPrivate bool   `json:"is_private,omitempty"` // a private message inside a room
}

// History answers GetHistory: messages oldest first. Complete: nothing
// older is stored (for a BeforeID or newest page).
type History struct {
	Conversation string           `json:"conversation"`
	Messages     []HistoryMessage `json:"messages"`
	Complete     bool             `json:"complete,omitempty"`
}

// Exported answers Export: Count messages were written to Path.
type Exported struct {
	Path   string `json:"path"`
	Count  int    `json:"count"`
	Format string `json:"format"`
}

// HistorySynced: MAM catch-up of an archive finished (or stopped). Archive
// is "own" for the user's own archive or a room's bare JID; Count is the
// number of messages newly stored; Complete is false when catch-up stopped
// before the end (it resumes from the saved sync point next time). Ignored
// counts archive results refused (not from the archive queried, or not for
// the query sent).
type HistorySynced struct {
	Archive  string `json:"archive"`
	Count    int    `json:"count"`
	Complete bool   `json:"complete"`
	Ignored  int    `json:"ignored,omitempty"`
}

func (SearchResults) EventName() string { return "search_results" }
func (History) EventName() string       { return "history" }
func (Exported) EventName() string      { return "exported" }
func (HistorySynced) EventName() string { return "history_synced" }
