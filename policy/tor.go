package policy

// TorRoute decides whether connections go through Tor: the profile's rule
// (off, optional or required; "" is optional), whether the profile locks
// the setting, and the user's choice. fixed: the user cannot change it.
func TorRoute(rule string, locked, chosen bool) (on, fixed bool) {
	switch rule {
	case "required":
		return true, true
	case "off":
		return false, true
	}
	if locked {
		return false, true
	}
	return chosen, false
}
