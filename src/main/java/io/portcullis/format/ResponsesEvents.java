package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * Chat chunks said as a Responses API stream, as they arrive: the first chunk opens the response
 * ({@code response.created}, {@code response.in_progress}); content opens a message item and its
 * output_text part, and each delta is an {@code output_text.delta}; each tool call is a
 * {@code function_call} item whose argument pieces are {@code function_call_arguments.delta}s; one
 * item is open at a time and is closed (its {@code .done} events with the whole text) when the next
 * opens or the choice finishes; {@code [DONE]} gives the final {@code response.completed} (or
 * {@code response.incomplete} at the token bound) with every item and the usage. Every event has
 * its {@code sequence_number}.
 */
final class ResponsesEvents implements EventTranslator {

  private static final SseField TEXT_DELTA = new SseField("event", "response.output_text.delta");

  private final JsonObject request;
  /** The open message item's text delta event with its text left open (its sequence number is added per event). */
  private TextSlot textDelta;
  private int sequence;
  private JsonObject response;
  private String chatId = "chat";
  /** The open item's output index, -1 when none is open; its text or arguments so far. */
  private int open = -1;
  private int openTool = -1;
  private StringBuilder openText;
  private JsonObject openItem;
  private String finish;
  private JsonObject usage;
  private boolean ended;

  ResponsesEvents(JsonObject request) {
    this.request = request;
  }

  @Override
  public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      return true;
    }
    if (event.isDone()) {
      end(emit);
      return true;
    }
    if (response != null) {
      PlainDelta plain = PlainDelta.of(event.data());
      if (plain != null && plain.bare()) {
        if (plain.index() == 0 && !plain.content().isEmpty()) {
          text(plain.content(), emit);
        }
        return true; // the common event: read and said again without a tree
      }
    }
    JsonObject chunk = Bridge.json(event);
    if (chunk == null) {
      return false;
    }
    if (chunk.getValue("error") instanceof JsonObject) {
      emit.accept(WireFormat.OPENAI_RESPONSES.errorEvent(502, "upstream_error", "upstream_error", Bridge.errorMessage(chunk, 502)));
      return true;
    }
    if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
      return false;
    }
    if (response == null) {
      chatId = chunk.getString("id", "chat");
      response = ResponsesOverChat.response("resp_" + chatId, chunk.getString("model", ""), "in_progress", request);
      typed("response.created", new JsonObject().put("response", response.copy()), emit);
      typed("response.in_progress", new JsonObject().put("response", response.copy()), emit);
    }
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    for (Object c : choices) {
      if (!(c instanceof JsonObject choice) || choice.getInteger("index", 0) != 0) {
        continue; // a response has one answer; the request asked for one
      }
      if (choice.getValue("delta") instanceof JsonObject delta) {
        if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
          text(text, emit);
        }
        if (delta.getValue("tool_calls") instanceof JsonArray calls) {
          for (Object t : calls) {
            if (!(t instanceof JsonObject call)) {
              return false;
            }
            tool(call, emit);
          }
        }
      }
      if (choice.getValue("finish_reason") instanceof String f) {
        close(emit);
        finish = f;
      }
    }
    return true;
  }

  private void text(String text, Consumer<SseEvent> emit) {
    if (open < 0 || openTool >= 0) {
      close(emit);
      open = output().size();
      openTool = -1;
      openText = new StringBuilder();
      openItem = ResponsesOverChat.messageItem("msg_" + chatId + "_" + open, "", "in_progress").put("content", new JsonArray());
      output().add(openItem);
      typed("response.output_item.added", new JsonObject().put("output_index", open).put("item", openItem.copy()), emit);
      typed("response.content_part.added", ids().put("content_index", 0).put("part", ResponsesOverChat.outputText("")), emit);
      textDelta = TextSlot.of(new JsonObject().put("type", "response.output_text.delta").mergeIn(ids()).put("content_index", 0)
          .put("delta", TextSlot.mark()).put("logprobs", new JsonArray()));
    }
    openText.append(text);
    String data = textDelta.fill(text);
    emit.accept(new SseEvent(List.of(TEXT_DELTA, SseField.data(data.substring(0, data.length() - 1)
        + ",\"sequence_number\":" + sequence++ + "}"))));
  }

  private void tool(JsonObject call, Consumer<SseEvent> emit) {
    int index = call.getInteger("index", 0);
    JsonObject fn = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    if (openTool != index) {
      if (call.getValue("id") == null && fn.getValue("name") == null && open >= 0) {
        return; // more arguments for a call already closed: the item is done
      }
      close(emit);
      open = output().size();
      openTool = index;
      openText = new StringBuilder();
      String callId = call.getString("id", "call_" + index);
      openItem = ResponsesOverChat.callItem("fc_" + callId, callId, fn.getString("name", ""), "", "in_progress");
      output().add(openItem);
      typed("response.output_item.added", new JsonObject().put("output_index", open).put("item", openItem.copy()), emit);
    }
    if (fn.getValue("arguments") instanceof String args && !args.isEmpty()) {
      openText.append(args);
      typed("response.function_call_arguments.delta", ids().put("delta", args), emit);
    }
  }

  private JsonArray output() {
    return response.getJsonArray("output");
  }

  private JsonObject ids() {
    return new JsonObject().put("item_id", openItem.getString("id")).put("output_index", open);
  }

  /** Closes the open item: its whole text in the {@code .done} events, and the item as it ends. */
  private void close(Consumer<SseEvent> emit) {
    if (open < 0) {
      return;
    }
    String text = openText.toString();
    if (openTool < 0) {
      JsonObject part = ResponsesOverChat.outputText(text);
      typed("response.output_text.done", ids().put("content_index", 0).put("text", text).put("logprobs", new JsonArray()), emit);
      typed("response.content_part.done", ids().put("content_index", 0).put("part", part), emit);
      openItem.put("status", "completed").put("content", new JsonArray().add(part.copy()));
    } else {
      typed("response.function_call_arguments.done", ids().put("arguments", text), emit);
      openItem.put("status", "completed").put("arguments", text);
    }
    typed("response.output_item.done", new JsonObject().put("output_index", open).put("item", openItem.copy()), emit);
    open = -1;
    openTool = -1;
  }

  private void end(Consumer<SseEvent> emit) {
    if (ended || response == null) {
      return;
    }
    ended = true;
    close(emit);
    ResponsesOverChat.finish(response, finish);
    response.put("usage", ResponsesOverChat.usage(usage));
    String type = "completed".equals(response.getString("status")) ? "response.completed" : "response.incomplete";
    typed(type, new JsonObject().put("response", response), emit);
  }

  private void typed(String type, JsonObject data, Consumer<SseEvent> emit) {
    emit.accept(Bridge.named(type, new JsonObject().put("type", type).mergeIn(data).put("sequence_number", sequence++)));
  }

  @Override
  public void onEnd(Consumer<SseEvent> emit) {
    if (finish != null) {
      end(emit); // a provider that finished but sent no [DONE]
    }
  }
}
