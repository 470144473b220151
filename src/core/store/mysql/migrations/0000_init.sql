CREATE TABLE `authors` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`source` enum('liblib','civitai','modelscope','community') NOT NULL,
	`external_id` varchar(64) NOT NULL,
	`name` varchar(255) NOT NULL,
	`avatar_url` text,
	`profile_url` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `authors_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_authors_source_ext` UNIQUE(`source`,`external_id`)
);
--> statement-breakpoint
CREATE TABLE `comments` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`work_id` bigint unsigned NOT NULL,
	`external_id` varchar(64) NOT NULL,
	`commenter_name` varchar(255),
	`commenter_avatar_url` text,
	`content` text,
	`commented_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `comments_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_comments_work_ext` UNIQUE(`work_id`,`external_id`)
);
--> statement-breakpoint
CREATE TABLE `crawl_ledger` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`source` enum('liblib','civitai','modelscope','community') NOT NULL,
	`stage` varchar(32) NOT NULL,
	`unit_key` varchar(512) NOT NULL,
	`status` enum('pending','done','failed') NOT NULL DEFAULT 'pending',
	`attempts` int NOT NULL DEFAULT 0,
	`error_kind` enum('network','http','timeout','contract','media','internal'),
	`error_message` text,
	`next_attempt_at` datetime(3),
	`run_id` bigint unsigned,
	`payload_json` longtext,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `crawl_ledger_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_ledger_unit` UNIQUE(`source`,`stage`,`unit_key`)
);
--> statement-breakpoint
CREATE TABLE `artworks_favorite` (
	`user_id` bigint unsigned NOT NULL,
	`artwork_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `artworks_favorite_user_id_artwork_id_pk` PRIMARY KEY(`user_id`,`artwork_id`)
);
--> statement-breakpoint
CREATE TABLE `fetch_runs` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`source` enum('liblib','civitai','modelscope','community') NOT NULL,
	`command` varchar(64) NOT NULL,
	`started_at` datetime(3) NOT NULL,
	`ended_at` datetime(3),
	`status` enum('RUNNING','SUCCESS','FAILED') NOT NULL,
	`pages_fetched` int NOT NULL DEFAULT 0,
	`works_fetched` int NOT NULL DEFAULT 0,
	`details_fetched` int NOT NULL DEFAULT 0,
	`authors_fetched` int NOT NULL DEFAULT 0,
	`images_downloaded` int NOT NULL DEFAULT 0,
	`bytes_downloaded` bigint NOT NULL DEFAULT 0,
	`requests` int NOT NULL DEFAULT 0,
	`retries` int NOT NULL DEFAULT 0,
	`rate_limited` int NOT NULL DEFAULT 0,
	`failures_json` longtext,
	`error_summary` text,
	CONSTRAINT `fetch_runs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`payload_json` longtext NOT NULL,
	`status` enum('queued','running','succeeded','failed','cancelled') NOT NULL DEFAULT 'queued',
	`progress` double NOT NULL DEFAULT 0,
	`attempts` int NOT NULL DEFAULT 0,
	`max_attempts` int NOT NULL DEFAULT 3,
	`result_json` longtext,
	`error` text,
	`user_id` bigint unsigned,
	`run_at` datetime(3) NOT NULL,
	`locked_by` varchar(128),
	`locked_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `jobs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `artworks_like` (
	`user_id` bigint unsigned NOT NULL,
	`artwork_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `artworks_like_user_id_artwork_id_pk` PRIMARY KEY(`user_id`,`artwork_id`)
);
--> statement-breakpoint
CREATE TABLE `loras` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`source` enum('liblib','civitai','modelscope','community') NOT NULL,
	`external_id` varchar(255) NOT NULL,
	`title_cn` varchar(512),
	`title_en` varchar(512),
	`author` varchar(255),
	`avatar_url` text,
	`user_name` varchar(255),
	`cover_url` text,
	`cover_key` varchar(1024),
	`downloads` bigint NOT NULL DEFAULT 0,
	`likes` int NOT NULL DEFAULT 0,
	`license` varchar(128),
	`tags_cn` longtext,
	`tags_en` longtext,
	`base_models` longtext,
	`trigger_words` longtext,
	`vision_foundation` varchar(255),
	`task` varchar(128),
	`upstream_updated_at` datetime(3),
	`page_url` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `loras_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_loras_source_ext` UNIQUE(`source`,`external_id`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` varchar(64) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `sessions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`username` varchar(64) NOT NULL,
	`name` varchar(255) NOT NULL,
	`email` varchar(255),
	`profile_pic` text,
	`google_sub` varchar(255),
	`password_hash` varchar(255),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `users_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_users_username` UNIQUE(`username`),
	CONSTRAINT `uk_users_email` UNIQUE(`email`),
	CONSTRAINT `uk_users_google_sub` UNIQUE(`google_sub`)
);
--> statement-breakpoint
CREATE TABLE `work_images` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`work_id` bigint unsigned NOT NULL,
	`image_index` int NOT NULL,
	`src_url` text NOT NULL,
	`s3_key` varchar(1024),
	`width` int,
	`height` int,
	`format` varchar(32),
	`content_hash` varchar(64),
	`size_bytes` bigint,
	`thumbnails_json` longtext,
	`downloaded_at` datetime(3),
	`status` enum('PENDING','OK','FAILED') NOT NULL DEFAULT 'PENDING',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `work_images_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_work_img` UNIQUE(`work_id`,`image_index`)
);
--> statement-breakpoint
CREATE TABLE `work_models` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`work_id` bigint unsigned NOT NULL,
	`model_type` enum('CHECKPOINT','LORA','OTHER') NOT NULL,
	`model_name` varchar(512) NOT NULL,
	`model_url` text,
	`external_model_id` varchar(128),
	`is_vip` boolean NOT NULL DEFAULT false,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `work_models_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `works` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`source` enum('liblib','civitai','modelscope','community') NOT NULL,
	`external_id` varchar(64) NOT NULL,
	`slug` varchar(128) NOT NULL,
	`title` varchar(512),
	`title_en` varchar(512),
	`status` enum('draft','published') NOT NULL DEFAULT 'published',
	`published_at` datetime(3),
	`tags_json` longtext,
	`prompt` longtext,
	`negative_prompt` longtext,
	`sampler` varchar(128),
	`steps` int,
	`cfg_scale` double,
	`width` int,
	`height` int,
	`seed` varchar(64),
	`like_count` int,
	`favorite_count` int,
	`comment_count` int,
	`source_url` text,
	`author_id` bigint unsigned,
	`owner_user_id` bigint unsigned,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `works_id` PRIMARY KEY(`id`),
	CONSTRAINT `uk_works_source_ext` UNIQUE(`source`,`external_id`)
);
--> statement-breakpoint
ALTER TABLE `comments` ADD CONSTRAINT `comments_work_id_works_id_fk` FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `crawl_ledger` ADD CONSTRAINT `crawl_ledger_run_id_fetch_runs_id_fk` FOREIGN KEY (`run_id`) REFERENCES `fetch_runs`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `artworks_favorite` ADD CONSTRAINT `artworks_favorite_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `artworks_favorite` ADD CONSTRAINT `artworks_favorite_artwork_id_works_id_fk` FOREIGN KEY (`artwork_id`) REFERENCES `works`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `jobs` ADD CONSTRAINT `jobs_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `artworks_like` ADD CONSTRAINT `artworks_like_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `artworks_like` ADD CONSTRAINT `artworks_like_artwork_id_works_id_fk` FOREIGN KEY (`artwork_id`) REFERENCES `works`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sessions` ADD CONSTRAINT `sessions_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `work_images` ADD CONSTRAINT `work_images_work_id_works_id_fk` FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `work_models` ADD CONSTRAINT `work_models_work_id_works_id_fk` FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `works` ADD CONSTRAINT `works_author_id_authors_id_fk` FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `works` ADD CONSTRAINT `works_owner_user_id_users_id_fk` FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `idx_authors_name` ON `authors` (`name`);--> statement-breakpoint
CREATE INDEX `idx_ledger_due` ON `crawl_ledger` (`source`,`stage`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `idx_fav_work` ON `artworks_favorite` (`artwork_id`);--> statement-breakpoint
CREATE INDEX `idx_runs_source_started` ON `fetch_runs` (`source`,`started_at`);--> statement-breakpoint
CREATE INDEX `idx_jobs_claim` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE INDEX `idx_jobs_user` ON `jobs` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_like_work` ON `artworks_like` (`artwork_id`);--> statement-breakpoint
CREATE INDEX `idx_loras_task` ON `loras` (`task`);--> statement-breakpoint
CREATE INDEX `idx_sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_wi_hash` ON `work_images` (`content_hash`);--> statement-breakpoint
CREATE INDEX `idx_wm_work` ON `work_models` (`work_id`);--> statement-breakpoint
CREATE INDEX `idx_wm_name` ON `work_models` (`model_name`);--> statement-breakpoint
CREATE INDEX `idx_works_slug` ON `works` (`slug`);--> statement-breakpoint
CREATE INDEX `idx_works_published` ON `works` (`published_at`);--> statement-breakpoint
CREATE INDEX `idx_works_author` ON `works` (`author_id`);--> statement-breakpoint
CREATE INDEX `idx_works_owner` ON `works` (`owner_user_id`);