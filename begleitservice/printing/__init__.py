"""Pages meant for paper: a volunteer's duty plan for a month, an address sheet for a visit, team meeting lists."""
