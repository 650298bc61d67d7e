//go:build !nogui

package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/ui"
)

// placeholderContent is shown by the temporary runUI until ui.Run exists.
func placeholderContent(opts ui.Options) fyne.CanvasObject {
	text := "Palisade: the sign-in window is not available in this build yet.\nUse --headless."
	if opts.Prefill.JID != "" {
		text += "\nAccount: " + opts.Prefill.JID
	}
	if opts.Notice != "" {
		text += "\n\n" + opts.Notice
	}
	return widget.NewLabel(text)
}
