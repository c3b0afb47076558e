local m = machine{ preset = "cortex-a53", cores = 64, irq = { controller = "gicv3" } }
