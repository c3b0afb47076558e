local speck = machine{ preset = "x86_64", cores = 40, sockets = 4 }
local arm = machine{ preset = "cortex-a53", cores = 64, sockets = 16, irq = { controller = "gicv3" } }
