import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Min } from 'class-validator';

export class RedriveDto {
  @Type(() => Number) @IsInt() @Min(0) partition!: number;
  @IsString() @Matches(/^\d+$/, { message: 'offset must be a Kafka offset (digits)' }) offset!: string;
}

export class LoginDto {
  @IsString() @Length(10, 4000) token!: string;
}
