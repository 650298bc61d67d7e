// Package assets holds Palisade's built-in resources: the application icon
// (icon.png, drawn by scripts/icongen), embedded so that a binary not built
// by the fyne tool still has its icon; the built-in IT keys (assets/itkeys)
// and the security lessons (assets/lessons) are packages of their own.
//
// It only embeds files: it must not import Fyne, the ui, session or mellium
// packages.
package assets
