package ui

import "github.com/palisade-im/palisade/event"

// SignIn is what the sign-in form collects.
type SignIn struct {
	JID       string
	Password  string // empty when the password comes from the keyring or a file descriptor
	Remember  bool   // keep the password in the OS keyring
	Server    string // optional host:port
	DirectTLS bool
	CAFile    string
}

// Options configure the GUI. cmd/client fills them from flags and saved
// settings and provides Connect, which builds the session stack.
type Options struct {
	Prefill    SignIn
	AutoSignIn bool // sign in at once with Prefill (the password is available without asking)
	// Connect builds and starts a session for the form's values. It must not
	// block on the network: connection progress arrives as events.
	Connect func(SignIn) (event.Backend, error)
	// Notice is shown on the sign-in screen, e.g. that no OS keyring is
	// available and the password will be kept for this session only.
	Notice string
	// ClipboardImage returns the image on the system clipboard as PNG
	// bytes, or nil when there is none. Fyne's clipboard holds text only,
	// so the binary provides this from a clipboard library; nil disables
	// pasting images (Ctrl+V then pastes text as usual).
	ClipboardImage func() []byte
}
