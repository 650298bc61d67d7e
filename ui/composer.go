package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// composerEntry is a multi-line entry where Enter sends and Shift+Enter
// starts a new line.
type composerEntry struct {
	widget.Entry
	shift  bool
	onSend func()
	// onPaste is offered Ctrl+V first; it reports whether it took the
	// paste (an image sent as a file), else the text is pasted as usual.
	onPaste func() bool
}

func newComposerEntry(onSend func()) *composerEntry {
	e := &composerEntry{onSend: onSend}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.ExtendBaseWidget(e)
	return e
}

func isShift(k *fyne.KeyEvent) bool {
	return k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight
}

// KeyDown tracks the Shift key.
func (e *composerEntry) KeyDown(k *fyne.KeyEvent) {
	if isShift(k) {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks the Shift key.
func (e *composerEntry) KeyUp(k *fyne.KeyEvent) {
	if isShift(k) {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// TypedKey sends on Enter and inserts a line break on Shift+Enter.
func (e *composerEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift {
		if e.onSend != nil {
			e.onSend()
		}
		return
	}
	e.Entry.TypedKey(k)
}

// FocusLost forgets the Shift key, whose release may go elsewhere.
func (e *composerEntry) FocusLost() {
	e.shift = false
	e.Entry.FocusLost()
}

// TypedShortcut offers a paste to onPaste (an image on the clipboard)
// before pasting text.
func (e *composerEntry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutPaste); ok && e.onPaste != nil && e.onPaste() {
		return
	}
	e.Entry.TypedShortcut(s)
}
