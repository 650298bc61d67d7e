//go:build !nogui

package main

import "testing"

func TestCLocale(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX.utf8"}, true},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr"}, false},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, false},
		{map[string]string{"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, true},
		{map[string]string{"LANG": "C"}, false}, // Fyne reads plain C as English by itself
		{map[string]string{}, false},
	} {
		if got := cLocale(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: cLocale = %v, want %v", tt.env, got, tt.want)
		}
	}
}
