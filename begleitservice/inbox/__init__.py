"""The coordinators' inbox: what needs a person now, derived from the facts; assign, snooze, done with a note."""
