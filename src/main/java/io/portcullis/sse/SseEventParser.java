package io.portcullis.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Incremental SSE parser following the WHATWG event-stream rules.
 *
 * <ul>
 *   <li>Lines end with LF, CR or CRLF. A CR that ends one chunk may be the first half of a CRLF
 *       split across chunks, so the parser remembers it and swallows a leading LF of the next one.
 *   <li>Bytes are gathered per line and decoded as UTF-8 only when the line is complete: CR and LF
 *       never occur inside a multi-byte sequence, so a character split across chunks is never torn.
 *   <li>A blank line dispatches the event block gathered so far. Every field is kept in order,
 *       comments and unknown fields included; at end of input an unfinished block is dropped, as
 *       the standard says.
 *   <li>An event block larger than {@code maxEventBytes} stops the parser: {@link #feed} returns
 *       false and the caller ends the stream with an error instead of buffering without bound.
 * </ul>
 */
public final class SseEventParser {

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final int maxEventBytes;
  private final Consumer<SseEvent> sink;

  private byte[] line = new byte[128];
  private int lineLength;
  private boolean pendingCr;
  private boolean atStreamStart = true;
  private int eventBytes;
  private boolean failed;
  private List<SseField> fields = new ArrayList<>(4);

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
    if (atStreamStart && i < end) {
      i = skipByteOrderMark(chunk, i, end);
      if (i < 0) {
        return true; // only part of a BOM so far; wait for more
      }
    }
    while (i < end) {
      if (pendingCr) {
        pendingCr = false;
        if (chunk[i] == LF) {
          i++;
          continue;
        }
      }
      int lineEnd = i;
      while (lineEnd < end && chunk[lineEnd] != CR && chunk[lineEnd] != LF) {
        lineEnd++;
      }
      int span = lineEnd - i;
      eventBytes += span;
      if (eventBytes > maxEventBytes) {
        failed = true;
        return false;
      }
      if (lineEnd == end) {
        append(chunk, i, span);
        break;
      }
      eventBytes++; // the line terminator
      if (lineLength == 0) {
        processLine(chunk, i, span);
      } else {
        append(chunk, i, span);
        processLine(line, 0, lineLength);
        lineLength = 0;
      }
      if (chunk[lineEnd] == CR) {
        pendingCr = true;
      }
      i = lineEnd + 1;
    }
    return true;
  }

  /** End of input: a block not closed by a blank line is discarded (WHATWG). */
  public void end() {
    lineLength = 0;
    fields = new ArrayList<>(4);
    eventBytes = 0;
  }

  /** Bytes held for an unfinished line or event: the parser's share of a stream's memory. */
  public int bufferedBytes() {
    return eventBytes;
  }

  private int skipByteOrderMark(byte[] chunk, int i, int end) {
    // The BOM (EF BB BF) may itself be split; keep partial bytes in the line buffer.
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    while (i < end && lineLength < 3) {
      if (chunk[i] != bom[lineLength]) {
        atStreamStart = false;
        return i; // not a BOM: the held bytes (if any) are real content
      }
      line[lineLength++] = chunk[i++];
    }
    if (lineLength == 3) {
      lineLength = 0;
      atStreamStart = false;
      return i;
    }
    return -1;
  }

  private void append(byte[] src, int offset, int length) {
    if (lineLength + length > line.length) {
      int size = line.length;
      while (size < lineLength + length) {
        size *= 2;
      }
      byte[] grown = new byte[size];
      System.arraycopy(line, 0, grown, 0, lineLength);
      line = grown;
    }
    System.arraycopy(src, offset, line, lineLength, length);
    lineLength += length;
  }

  private void processLine(byte[] bytes, int offset, int length) {
    if (length == 0) {
      if (!fields.isEmpty()) {
        SseEvent event = new SseEvent(fields);
        fields = new ArrayList<>(4);
        eventBytes = 0;
        sink.accept(event);
      } else {
        eventBytes = 0;
      }
      return;
    }
    String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
    if (text.charAt(0) == ':') {
      fields.add(SseField.comment(text.substring(1)));
      return;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      fields.add(new SseField(text, ""));
      return;
    }
    int valueStart = colon + 1;
    if (valueStart < text.length() && text.charAt(valueStart) == ' ') {
      valueStart++;
    }
    fields.add(new SseField(text.substring(0, colon), text.substring(valueStart)));
  }
}
