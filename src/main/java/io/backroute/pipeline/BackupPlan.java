package io.backroute.pipeline;

import io.backroute.codec.Transform;
import io.backroute.dump.DumpUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The message body of a job route before staging: the dump units the {@code dump:} steps planned and the
 * {@code codec:} transforms to apply, in order. It describes the streams; nothing has been read yet, so
 * Camel never caches a payload (the body is not a stream).
 */
public final class BackupPlan {

    private final List<DumpUnit> units = new ArrayList<>();
    private final List<Transform> transforms = new ArrayList<>();

    public void addUnits(List<DumpUnit> more) { units.addAll(more); }

    public void addTransform(Transform t) { transforms.add(t); }

    public List<DumpUnit> units() { return List.copyOf(units); }

    public List<Transform> transforms() { return List.copyOf(transforms); }

    /** Codec extensions in order, e.g. [zst, gpg]. */
    public List<String> extensions() {
        return transforms.stream().map(Transform::extension).toList();
    }

    @Override
    public String toString() {
        return "BackupPlan[units=" + units.size() + ", codecs=" + extensions() + "]";
    }
}
