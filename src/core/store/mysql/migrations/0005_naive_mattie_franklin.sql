CREATE TABLE `generation_jobs` (
	`id` varchar(36) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`task` varchar(64) NOT NULL,
	`request_json` longtext NOT NULL,
	`requested_provider` varchar(32),
	`provider` varchar(128),
	`status` enum('queued','running','complete','failed','cancelled') NOT NULL DEFAULT 'queued',
	`progress` double NOT NULL DEFAULT 0,
	`log_json` longtext NOT NULL,
	`error_kind` varchar(32),
	`error_message` text,
	`outputs_json` longtext NOT NULL,
	`attempts` int NOT NULL DEFAULT 0,
	`worker_id` varchar(128),
	`heartbeat_at` datetime(3),
	`started_at` datetime(3),
	`finished_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `generation_jobs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `generation_presets` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`name` varchar(100) NOT NULL,
	`params_json` longtext NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `generation_presets_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_gen_presets_user_name` UNIQUE(`user_id`,`name`)
);
--> statement-breakpoint
ALTER TABLE `generation_jobs` ADD CONSTRAINT `generation_jobs_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `generation_presets` ADD CONSTRAINT `generation_presets_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `idx_gen_jobs_user` ON `generation_jobs` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `idx_gen_jobs_status` ON `generation_jobs` (`status`,`heartbeat_at`);