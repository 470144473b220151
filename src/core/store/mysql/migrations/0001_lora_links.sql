CREATE TABLE `lora_links` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`lora_id` bigint unsigned NOT NULL,
	`work_model_id` bigint unsigned NOT NULL,
	`method` enum('id','hash','name') NOT NULL,
	`matched` varchar(512) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `lora_links_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_lora_links_ref` UNIQUE(`work_model_id`)
);
--> statement-breakpoint
ALTER TABLE `lora_links` ADD CONSTRAINT `lora_links_lora_id_loras_id_fk` FOREIGN KEY (`lora_id`) REFERENCES `loras`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `lora_links` ADD CONSTRAINT `lora_links_work_model_id_work_models_id_fk` FOREIGN KEY (`work_model_id`) REFERENCES `work_models`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `idx_lora_links_lora` ON `lora_links` (`lora_id`);