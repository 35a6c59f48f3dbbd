package io.portcullis.sse;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Incremental SSE parser following the WHATWG event-stream rules. It splits the stream into event
 * blocks and hands each on with its exact bytes; fields are parsed from those bytes only when a
 * hook asks for them ({@link SseEvent#fields()}).
 *
 * <ul>
 *   <li>Lines end with LF, CR or CRLF. A CR that ends one chunk may be the first half of a CRLF
 *       split across chunks, so the parser remembers it and swallows a leading LF of the next one.
 *   <li>Bytes are gathered per event and decoded as UTF-8 line by line, only when fields are read:
 *       CR and LF never occur inside a multi-byte sequence, so a character split across chunks is
 *       never torn.
 *   <li>A blank line dispatches the block gathered so far (comments and unknown fields included);
 *       blank lines with nothing before them dispatch nothing. At end of input an unfinished block
 *       is dropped, as the standard says. A leading byte order mark is skipped.
 *   <li>An event block larger than {@code maxEventBytes} stops the parser: {@link #feed} returns
 *       false and the caller ends the stream with an error instead of buffering without bound.
 * </ul>
 */
public final class SseEventParser {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final int maxEventBytes;
  private final Consumer<SseEvent> sink;

  /** Bytes of the event block being gathered: its complete lines and the current partial line. */
  private byte[] event = new byte[256];
  private int eventLength;
  /** Length of the current, unfinished line (its bytes are the tail of {@link #event}). */
  private int lineLength;
  private boolean pendingCr;
  private int bomMatched;
  private boolean pastBom;
  private boolean failed;

  public SseEventParser(int maxEventBytes, Consumer<SseEvent> sink) {
    this.maxEventBytes = maxEventBytes;
    this.sink = sink;
  }

  /**
   * Feeds the next chunk of the stream. Returns false once an event has exceeded the size limit;
   * the parser then ignores further input.
   */
  public boolean feed(byte[] chunk) {
    return feed(chunk, 0, chunk.length);
  }

  public boolean feed(byte[] chunk, int offset, int length) {
    if (failed) {
      return false;
    }
    int i = offset;
    int end = offset + length;
    if (!pastBom) {
      while (i < end && bomMatched < BOM.length && chunk[i] == BOM[bomMatched]) {
        bomMatched++;
        i++;
      }
      if (bomMatched == BOM.length) {
        pastBom = true;
      } else if (i < end) {
        // not a byte order mark after all: what matched so far is content
        pastBom = true;
        append(BOM, 0, bomMatched);
        lineLength += bomMatched;
      } else {
        return true;
      }
    }
    while (i < end) {
      if (pendingCr) {
        pendingCr = false;
        if (chunk[i] == LF) {
          // second half of a CRLF: part of the event's bytes unless the CR just ended the block
          if (eventLength > 0) {
            append(chunk, i, 1);
          }
          i++;
          continue;
        }
      }
      int lineEnd = i;
      while (lineEnd < end && chunk[lineEnd] != CR && chunk[lineEnd] != LF) {
        lineEnd++;
      }
      int span = lineEnd - i;
      if (eventLength + span + 2 > maxEventBytes) {
        failed = true;
        return false;
      }
      append(chunk, i, span);
      if (lineEnd == end) {
        lineLength += span;
        break;
      }
      byte terminator = chunk[lineEnd];
      boolean blank = lineLength + span == 0;
      lineLength = 0;
      if (blank) {
        if (eventLength > 0) {
          dispatch(terminator);
        }
      } else {
        append(chunk, lineEnd, 1);
      }
      pendingCr = terminator == CR;
      i = lineEnd + 1;
    }
    return true;
  }

  /** End of input: a block not closed by a blank line is discarded (WHATWG). */
  public void end() {
    eventLength = 0;
    lineLength = 0;
  }

  private void dispatch(byte terminator) {
    // The block's bytes plus its blank line; a CR-ended blank line is written as CRLF so that a
    // following LF (swallowed by the CRLF rule) can never turn into a line of the next block.
    int extra = terminator == CR ? 2 : 1;
    byte[] raw = Arrays.copyOf(event, eventLength + extra);
    if (terminator == CR) {
      raw[eventLength] = CR;
      raw[eventLength + 1] = LF;
    } else {
      raw[eventLength] = LF;
    }
    eventLength = 0;
    sink.accept(SseEvent.ofWire(raw));
  }

  private void append(byte[] src, int offset, int length) {
    if (eventLength + length > event.length) {
      int size = event.length;
      while (size < eventLength + length) {
        size *= 2;
      }
      event = Arrays.copyOf(event, size);
    }
    System.arraycopy(src, offset, event, eventLength, length);
    eventLength += length;
  }
}
