package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/palisade-im/palisade/event"
)

// presenceWord is the word shown with every presence icon: colour and
// shape are never the only signal.
func presenceWord(show string) string {
	switch show {
	case event.ShowAvailable, "":
		return lang.L("Available")
	case event.ShowChat:
		return lang.L("Free to chat")
	case event.ShowAway:
		return lang.L("Away")
	case event.ShowXA:
		return lang.L("Extended away")
	case event.ShowDND:
		return lang.L("Do not disturb")
	}
	return lang.L("Offline")
}

// presenceIcon is a distinct shape per presence, tinted.
func presenceIcon(show string) fyne.Resource {
	switch show {
	case event.ShowAvailable, event.ShowChat, "":
		return theme.NewColoredResource(theme.RadioButtonCheckedIcon(), theme.ColorNameSuccess)
	case event.ShowAway:
		return theme.NewColoredResource(theme.HistoryIcon(), theme.ColorNameWarning)
	case event.ShowXA:
		return theme.NewColoredResource(theme.HistoryIcon(), theme.ColorNameError)
	case event.ShowDND:
		return theme.NewColoredResource(theme.CancelIcon(), theme.ColorNameError)
	}
	return theme.NewDisabledResource(theme.RadioButtonIcon())
}

// ownShows are the presences the user can choose, in menu order.
var ownShows = []string{event.ShowAvailable, event.ShowAway, event.ShowXA, event.ShowDND}

func showFromWord(w string) string {
	for _, s := range ownShows {
		if presenceWord(s) == w {
			return s
		}
	}
	return event.ShowAvailable
}
