package io.portcullis.ingress;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed place for a feature's own state on an {@link Exchange} or a {@link Snapshot}: the feature
 * declares its slot once ({@code static final Slot<Reservation> SLOT = Slot.named("reservation")})
 * and only code that can see the slot can read or write it. This keeps the floor free of feature
 * types, and a read of the wrong type a compile error rather than a cast failure.
 *
 * @param <T> the type of what the slot holds
 */
public final class Slot<T> {

  private static final AtomicInteger NEXT = new AtomicInteger();

  private final String name;
  final int index;

  private Slot(String name) {
    this.name = name;
    this.index = NEXT.getAndIncrement();
  }

  public static <T> Slot<T> named(String name) {
    return new Slot<>(name);
  }

  @Override
  public String toString() {
    return "slot " + name;
  }

  /** The values of the slots one holder has, indexed by slot: a small array, grown on first use. */
  static final class Values {

    /** Sized for every slot declared so far: a holder made on the hot path never grows. */
    private Object[] values = new Object[Math.max(4, NEXT.get())];

    @SuppressWarnings("unchecked")
    <T> T get(Slot<T> slot) {
      return slot.index < values.length ? (T) values[slot.index] : null;
    }

    <T> void put(Slot<T> slot, T value) {
      if (slot.index >= values.length) {
        values = Arrays.copyOf(values, Math.max(slot.index + 1, values.length * 2));
      }
      values[slot.index] = value;
    }
  }
}
