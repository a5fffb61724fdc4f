package app

import "testing"

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost": true, "[::1]:80": true, "127.1.2.3": true,
		"0.0.0.0:8080": false, "intra.example.se": false, "10.0.0.1:80": false, "": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}
