package io.descent.cli;

import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;
import picocli.CommandLine.Option;

/** {@code --device}: shared by every command that runs on a device. */
public final class DeviceOptions {
    @Option(names = {"-d", "--device"}, paramLabel = "SELECTOR",
            description = "Device: an index from 'descent devices', gpu, cpu, or part of its name. "
                    + "Default: $" + Devices.ENV + ", else the first GPU, else the first CPU.")
    String device;

    /** The selected device; a user error naming the devices when the selector matches none. */
    public DeviceInfo select() {
        return Devices.select(device);
    }
}
