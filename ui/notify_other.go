//go:build !linux

package ui

// platformNotifier is nil outside Linux: notifications go through Fyne's
// SendNotification (a click raises the app where the OS does so).
func platformNotifier(func(conv string)) (notifier, func()) { return nil, nil }
