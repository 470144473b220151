CREATE TABLE `lora_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lora_id` integer NOT NULL,
	`work_model_id` integer NOT NULL,
	`method` text NOT NULL,
	`matched` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`lora_id`) REFERENCES `loras`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`work_model_id`) REFERENCES `work_models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_lora_links_ref` ON `lora_links` (`work_model_id`);--> statement-breakpoint
CREATE INDEX `idx_lora_links_lora` ON `lora_links` (`lora_id`);