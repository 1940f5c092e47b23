"""The resource library: files, links and printed music the studio shares with students."""
