/** C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed tree head of a log. */
package dev.indelible.formats.checkpoint;
