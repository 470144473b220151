ALTER TABLE `work_models` ADD `base_model` text;--> statement-breakpoint
ALTER TABLE `work_models` ADD `downloads` integer;--> statement-breakpoint
ALTER TABLE `work_models` ADD `likes` integer;