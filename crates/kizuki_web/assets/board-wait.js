// Loaded before the board's table, and not deferred: the table is kept out of the page's layout
// until board.js has taken out the cards far from sight, so that a table of thousands of cards
// is laid out and painted once, small, instead of whole while it arrives. Should board.js not
// run, the table shows after a few seconds all the same.
"use strict";
document.documentElement.classList.add("board-waiting");
setTimeout(() => document.documentElement.classList.remove("board-waiting"), 4000);
