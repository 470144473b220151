ALTER TABLE `work_models` ADD `base_model` varchar(64);--> statement-breakpoint
ALTER TABLE `work_models` ADD `downloads` bigint;--> statement-breakpoint
ALTER TABLE `work_models` ADD `likes` int;